/**
 * What every store module of table `main` shares: the table's name, the keys that more than one
 * aggregate refers to, the version condition and batch writes with their retries. The item table
 * of the whole service is in the README (*Table `main`*); each aggregate's module lists its own
 * access patterns.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb'
import { CONTACTS_SOURCE } from '@relay/contracts/contacts'
import { documentClient, tableName } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, newEvent, type TransactItem, transactWithEvents } from '@relay/core/outbox'
import type { Emitted } from '../domain/events.js'
import { fold } from '../domain/search.js'

export const SERVICE = 'contacts'
export const table = (): string => tableName(SERVICE, 'main')

export type Item = Record<string, unknown>
export type Key = { pk: string; sk: string }

/** Primary key of a contact (its timeline entries share the partition). */
export function contactKey(tenantId: string, id: string): Key {
  return { pk: tenantKey(tenantId, 'CONTACT', id), sk: 'CONTACT' }
}

/** Primary key of a company (its memberships share the partition). */
export function companyKey(tenantId: string, id: string): Key {
  return { pk: tenantKey(tenantId, 'COMPANY', id), sk: 'COMPANY' }
}

/** Key of the guard that reserves `address` for one contact of the tenant. */
export function emailGuardKey(tenantId: string, address: string): Key {
  return { pk: tenantKey(tenantId, 'EMAIL', fold(address)), sk: 'EMAIL' }
}

/** Optimistic concurrency: the write only lands on the version the caller read. */
export const stillAtVersion = (expected: number) => ({
  ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
  ExpressionAttributeValues: { ':expected': expected },
})

/** The events the domain decided on, as this service's envelopes for the outbox. */
export function envelopes(
  tenantId: string,
  correlationId: string,
  emitted: readonly Emitted[],
): DomainEvent[] {
  return emitted.map((e) =>
    newEvent({ source: CONTACTS_SOURCE, detailType: e.detailType, tenantId, data: e.data, correlationId }),
  )
}

/** BatchWriteItem in chunks of 25 (its limit), unprocessed items retried with backoff. */
export async function batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25)
    for (let attempt = 0; pending?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
      const out = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [table()]: pending as never } }),
      )
      pending = out.UnprocessedItems?.[table()] as Record<string, unknown>[] | undefined
    }
    if (pending?.length) throw new Error('BatchWriteItem left items unprocessed after retries')
  }
}

/**
 * Puts a new item (it must not exist) and the work message it asks for (a `queueItem`) in one
 * transaction, with the request's idempotency claim: the message is sent if and only if the item
 * is written.
 */
export async function insertWithMessage(item: Item, message: TransactItem): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [{ Put: { TableName: name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, message],
    [],
  )
}
