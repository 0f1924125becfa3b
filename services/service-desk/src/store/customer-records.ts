/**
 * What registrations and visits share as records of a customer: both are indexed by their contact
 * on gsi5 (`gsi5pk` = the contact's partition of that kind), so a contact merge re-points them and
 * an erasure rewrites them the same way. Direct writes one by one: a customer may hold more records
 * than a transaction, and a redelivered event simply does them again.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { type Item, table } from './table.js'

/** Every item of one gsi5 partition (all pages). */
export async function customerItems(indexPk: string): Promise<Item[]> {
  const items: Item[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi5',
        KeyConditionExpression: 'gsi5pk = :pk',
        ExpressionAttributeValues: { ':pk': indexPk },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
  } while (start)
  return items
}

/**
 * Moves the items of `fromIndexPk` to the surviving contact (its id and index partition, version
 * bumped); an item already moved (a redelivered merge) is left as it is. Returns how many were read.
 */
export async function repointCustomerItems(
  fromIndexPk: string,
  move: { from: string; to: string; toIndexPk: string; now: string },
): Promise<number> {
  const items = await customerItems(fromIndexPk)
  for (const item of items) {
    await documentClient()
      .send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET contactId = :to, gsi5pk = :pk, updatedAt = :now ADD #version :one',
          ConditionExpression: 'contactId = :from',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':to': move.to,
            ':from': move.from,
            ':pk': move.toIndexPk,
            ':now': move.now,
            ':one': 1,
          },
        }),
      )
      .catch((err: unknown) => {
        if (!isConditionalCheckFailed(err)) throw err
      })
  }
  return items.length
}

/** Rewrites each item of `indexPk` with the update `erase` makes of it (the erasure of personal data). */
export async function eraseCustomerItems(
  indexPk: string,
  erase: (item: Item) => { UpdateExpression: string; ExpressionAttributeValues?: Record<string, unknown> },
): Promise<number> {
  const items = await customerItems(indexPk)
  for (const item of items)
    await documentClient().send(
      new UpdateCommand({ TableName: table(), Key: { pk: item.pk, sk: item.sk }, ...erase(item) }),
    )
  return items.length
}
