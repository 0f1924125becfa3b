/**
 * What every store module of the pipeline shares: the table (`main`), the storage attributes an
 * entity never shows, optimistic-concurrency conditions, pages and full reads of a Query, and the
 * outbox events a write carries. Every key starts with the tenant taken from the token (the two
 * exceptions, the public form ref and the reminder index, say why where they are defined).
 *
 * Indexes of `main` (what each holds is written at the top of each aggregate's module):
 * gsi1..gsi4, each `gsiNpk` / `gsiNsk`; ttl attribute `ttl`; the stream feeds the outbox publisher.
 */
import { GetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import { PIPELINE_SOURCE } from '@relay/contracts/pipeline'
import { documentClient, queryPage, tableName } from '@relay/core/ddb'
import {
  type DomainEvent,
  newEvent,
  outboxPut,
  type TransactItem,
  transactWithEvents,
} from '@relay/core/outbox'
import type { EventSpec } from '../domain/events.js'

export const SERVICE = 'pipeline'
export const table = () => tableName(SERVICE, 'main')

const STORAGE = new Set([
  'pk',
  'sk',
  'kind',
  'ttl',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
])

/** The entity of an item: storage attributes stripped. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE.has(k))) as T
}

/** The entity under `key` (consistent read: its version feeds If-Match), undefined when absent or another tenant's. */
export async function getItem<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
  )
  return out.Item ? fromItem<T>(out.Item) : undefined
}

/** Optimistic concurrency: the write lands only on the version read (0 = must not exist yet). */
export const atVersion = (expected: number) =>
  expected === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expected },
      }

/** The domain events of a change, in their envelopes (the outbox items are added on commit). */
export const events = (tenantId: string, correlationId: string, specs: readonly EventSpec[]): DomainEvent[] =>
  specs.map((e) =>
    newEvent({ source: PIPELINE_SOURCE, detailType: e.detailType, tenantId, data: e.data, correlationId }),
  )

export type PageQuery = { limit?: number | undefined; cursor?: string | undefined }

/** One page of a Query, as `{ items, nextCursor? }` (the cursor is bound to the tenant). */
export async function page<T>(tenantId: string, input: QueryCommandInput, q: PageQuery): Promise<Page<T>> {
  const result = await queryPage(input, {
    tenantId,
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
  })
  return {
    items: result.items.map((i) => fromItem<T>(i)),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** Every item of a Query, all pages, stopping once `max` items are read. */
export async function queryAll(input: QueryCommandInput, max = Number.POSITIVE_INFINITY) {
  const items: Record<string, unknown>[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
    )
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
  } while (start && items.length < max)
  return { items, more: Boolean(start) }
}

/** Commits `items` and the outbox items of `specs` in one TransactWriteItems (all or nothing). */
export async function commit(
  tenantId: string,
  correlationId: string,
  items: TransactItem[],
  specs: readonly EventSpec[] = [],
): Promise<void> {
  await transactWithEvents(table(), items, events(tenantId, correlationId, specs))
}

/** `items` with the outbox items of `specs`, for a subscriber's transaction (with its dedupe record). */
export function withEvents(
  tenantId: string,
  correlationId: string,
  items: TransactItem[],
  specs: readonly EventSpec[],
): TransactItem[] {
  return [...items, ...events(tenantId, correlationId, specs).map((e) => outboxPut(table(), e))]
}
