/**
 * What every store module of the campaigns table (`main`) shares: its name, the storage attributes
 * an entity never shows, optimistic-concurrency conditions, pages of a Query, and the events a
 * write carries. Every key starts with the tenant taken from the token or from a signed link.
 *
 * Indexes of `main`: gsi1 (`gsi1pk` / `gsi1sk`); ttl attribute `ttl`; the stream feeds the outbox
 * publishers. Each aggregate's module lists its own access patterns.
 */
import { DeleteCommand, GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import { CAMPAIGNS_SOURCE } from '@relay/contracts/campaigns-events'
import type { Page } from '@relay/contracts/common'
import { documentClient, isConditionalCheckFailed, queryPage, tableName } from '@relay/core/ddb'
import { type DomainEvent, newEvent, outboxPut, type TransactItem } from '@relay/core/outbox'
import { NotFound, StaleVersion } from '@relay/core/outcomes'

export const SERVICE = 'campaigns'
export const table = (): string => tableName(SERVICE, 'main')

export type Item = Record<string, unknown>
export type Key = { pk: string; sk: string }

const STORAGE = new Set(['pk', 'sk', 'kind', 'ttl', 'gsi1pk', 'gsi1sk'])

/** The entity of an item: storage attributes stripped. */
export function fromItem<T>(item: Item): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !STORAGE.has(k))) as T
}

/** The item under `key` (consistent read: its version feeds If-Match), undefined when absent. */
export async function getItem<T>(key: Key): Promise<T | undefined> {
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

/**
 * DELETE of the item under `key`, at version `ifMatch` when the request gave one (If-Match): a
 * stale one fails the delete's condition. An item without `version` is at version 1 (write-once
 * items, e.g. suppressions). A failed condition: `NotFound(missing)` if the item is gone, else
 * `StaleVersion` (412 with If-Match).
 */
export async function deleteIfMatch(key: Key, ifMatch: number | undefined, missing: string): Promise<void> {
  const versioned =
    ifMatch === undefined
      ? {}
      : {
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': ifMatch },
        }
  const guard =
    ifMatch === undefined
      ? ''
      : ifMatch === 1
        ? ' AND (#version = :expected OR attribute_not_exists(#version))'
        : ' AND #version = :expected'
  try {
    await documentClient().send(
      new DeleteCommand({
        TableName: table(),
        Key: key,
        ConditionExpression: `attribute_exists(pk)${guard}`,
        ...versioned,
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (ifMatch === undefined || !(await getItem(key))) throw new NotFound(missing)
    throw new StaleVersion()
  }
}

/** An event of this service (source `crm.campaigns`) in its envelope. */
export function campaignEvent(
  tenantId: string,
  correlationId: string,
  detailType: string,
  data: unknown,
): DomainEvent {
  return newEvent({ source: CAMPAIGNS_SOURCE, detailType, tenantId, data, correlationId })
}

/** The outbox item of an event, for a transaction built by hand (a worker's or subscriber's Work). */
export const eventItem = (event: DomainEvent): TransactItem => outboxPut(table(), event)

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
