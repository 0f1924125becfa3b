/**
 * A contact's timeline: `T#<t>#CONTACT#<id>` / `TL#<entry id>` (kind `timeline`, the entry under
 * `entry`), in the contact's own partition; entry ids are ULIDs minted for when it happened, so
 * the sort key orders the timeline.
 *
 * Access patterns:
 *  8. Timeline of a contact, newest first: Query pk = contact, begins_with(sk, 'TL#'), backwards
 *     (consistent), a page at a time.
 *  8a. One interaction: GetItem of its entry (consistent).
 *  8b. An entry from another service's event (deal, ticket, email, conversion): a Put that must be
 *     new, with a ConditionCheck that the contact still exists, committed by the subscriber with
 *     its dedupe record.
 *  13 (part). Merge: the source's entries copied to the target (same ids: idempotent), then deleted.
 *  14 (part). Erase: every entry deleted (BatchWriteItem, idempotent) before the contact goes.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Interaction, TimelineEntry } from '@relay/contracts/interactions'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { batchWrite, contactKey, type Item, table } from './table.js'

const entryKey = (tenantId: string, contactId: string, entryId: string) => ({
  pk: tenantKey(tenantId, 'CONTACT', contactId),
  sk: `TL#${entryId}`,
})

/** The Put of one entry; `onlyIfNew` for entries whose id comes from elsewhere (a redelivery finds it). */
export function timelinePut(
  tenantId: string,
  contactId: string,
  entry: TimelineEntry,
  onlyIfNew = false,
): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: { ...entryKey(tenantId, contactId, entry.id), kind: 'timeline', entry },
      ...(onlyIfNew ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
    },
  }
}

/**
 * Pattern 8b: the unit of work that adds `entry` to a contact's timeline, for a subscriber to commit with
 * its dedupe record: the contact must still exist (an erased one gets nothing) and the entry must be
 * new (its id comes from the event, so a redelivery finds it). Either condition failing means
 * "already applied or no longer wanted", so such subscribers run with `onConditionFailed: 'ignore'`.
 */
export function relatedEntryWork(tenantId: string, contactId: string, entry: TimelineEntry): Work {
  return work(
    {
      ConditionCheck: {
        TableName: table(),
        Key: contactKey(tenantId, contactId),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    timelinePut(tenantId, contactId, entry, true),
  )
}

/** Pattern 8a: one interaction of a contact, or undefined. */
export async function getInteraction(
  tenantId: string,
  contactId: string,
  interactionId: string,
): Promise<Interaction | undefined> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: entryKey(tenantId, contactId, interactionId),
      ConsistentRead: true,
    }),
  )
  return out.Item?.kind === 'timeline' ? (out.Item.entry?.interaction as Interaction | undefined) : undefined
}

/** Pattern 8: a contact's timeline, newest first. */
export async function listTimeline(
  tenantId: string,
  contactId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<TimelineEntry>> {
  const result = await queryPage(
    {
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACT', contactId), ':tl': 'TL#' },
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    },
  )
  return {
    items: result.items.map((i) => i.entry as TimelineEntry),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** Every timeline item of a contact, oldest first (consistent, paged through). */
async function timelineItems(tenantId: string, contactId: string): Promise<Item[]> {
  const items: Item[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACT', contactId), ':tl': 'TL#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
  } while (start)
  return items
}

/** The whole timeline of a contact, newest first (for the right of access). */
export async function fullTimeline(tenantId: string, contactId: string): Promise<TimelineEntry[]> {
  return (await timelineItems(tenantId, contactId)).map((i) => i.entry as TimelineEntry).reverse()
}

/** Pattern 13 (part): `fromId`'s history joins `toId`'s (same entry ids, so a retry rewrites the same items). */
export async function moveTimeline(tenantId: string, fromId: string, toId: string): Promise<void> {
  const history = await timelineItems(tenantId, fromId)
  const targetPk = tenantKey(tenantId, 'CONTACT', toId)
  await batchWrite(history.map((i) => ({ PutRequest: { Item: { ...i, pk: targetPk } } })))
  await batchWrite(history.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })))
}

/** Pattern 14 (part): every entry of a contact deleted (idempotent). */
export async function deleteTimeline(tenantId: string, contactId: string): Promise<void> {
  const history = await timelineItems(tenantId, contactId)
  await batchWrite(history.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })))
}
