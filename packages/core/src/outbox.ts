/**
 * The transactional outbox: a write and what must follow it (the domain events announcing it, the
 * work messages it asks for) are committed in one DynamoDB transaction; the table stream carries
 * the outbox items to its two readers: the outbox (event) publisher puts events on the bus
 * (`kind: 'outbox'`), the queue publisher sends work messages to their queue (`kind: 'queue'`). A message is sent if and only if its write
 * commits: never an orphan, never lost.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from './ddb.js'
import { claimCommitItem } from './idempotency-claim.js'
import { newId, nowIso } from './ids.js'
import { tenantKey } from './keys.js'
import { checkDelaySeconds, MAX_MESSAGE_BYTES, messageBytes } from './queue-message.js'
import type { TransactItem } from './transact-item.js'

/** The `detail` of every domain event on the bus. */
export interface EventEnvelope<D = unknown> {
  /** Event id (ULID): consumers dedupe on it. */
  id: string
  tenantId: string
  occurredAt: string
  /** Schema version of `data`. */
  version: number
  correlationId: string
  data: D
}

/** A domain event: EventBridge `source` (`crm.<service>`), `detail-type` (`Entity.PastTense`) and envelope. */
export interface DomainEvent<D = unknown> {
  source: string
  detailType: string
  detail: EventEnvelope<D>
}

export type { TransactItem } from './transact-item.js'

/** DynamoDB's limit of items per TransactWriteItems. */
export const MAX_TRANSACT_ITEMS = 100
/** PutEvents' limit for one entry (and one request). */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024
const OUTBOX_TTL_SECONDS = 3 * 24 * 3600

/**
 * A new domain event with a fresh id and the current time.
 *
 * @example
 * const event = newEvent({ source: 'crm.contacts', detailType: 'Contact.Created', tenantId, data: contact, correlationId })
 */
export function newEvent<D>(a: {
  source: string
  detailType: string
  tenantId: string
  data: D
  correlationId: string
  version?: number
}): DomainEvent<D> {
  return {
    source: a.source,
    detailType: a.detailType,
    detail: {
      id: newId(),
      tenantId: a.tenantId,
      occurredAt: nowIso(),
      version: a.version ?? 1,
      correlationId: a.correlationId,
      data: a.data,
    },
  }
}

/**
 * Size of the event as PutEvents counts it (Time + Source + DetailType + Detail, UTF-8).
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function eventEntrySize(source: string, detailType: string, detailJson: string): number {
  return 14 + Buffer.byteLength(source) + Buffer.byteLength(detailType) + Buffer.byteLength(detailJson)
}

/**
 * The TransactWriteItems Put of one outbox item; the table's stream carries it to the outbox publisher.
 * Outbox items expire after 3 days (TTL attribute `ttl`).
 */
export function outboxPut(tableName: string, event: DomainEvent): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: tenantKey(event.detail.tenantId, 'OUTBOX', event.detail.id),
        sk: 'OUTBOX',
        kind: 'outbox',
        source: event.source,
        detailType: event.detailType,
        detail: event.detail,
        ttl: Math.floor(Date.now() / 1000) + OUTBOX_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }
}

/** A work message to write into the outbox: sent to queue `queue` of `service` once the write commits. */
export interface QueueOutboxMessage {
  /** The tenant whose key space holds the outbox item (and the consumer's dedupe record). */
  tenantId: string
  service: string
  /** Key of the service manifest's `queues`. */
  queue: string
  /** The message, sent as JSON. */
  body: unknown
  /** Seconds before the consumer sees it (0 to 900). */
  delaySeconds?: number | undefined
}

/**
 * The TransactWriteItems Put of one queue-outbox item (`kind: 'queue'`): the queue publisher sends
 * it with its id as the message's stable id (attribute `relay-message-id`), so a re-send after a
 * failed publish is still the same message to the consumer's dedupe. Expires as event items do.
 *
 * Throws (before any write) for a body that is not JSON or would not fit in a message, or a delay
 * SQS refuses: such an item could never be sent.
 *
 * @example
 * transactWithEvents(table, [jobPut, queueOutboxPut(table, { tenantId, service: 'contacts', queue: 'export-runs', body: { tenantId, jobId } })], [])
 */
export function queueOutboxPut(tableName: string, message: QueueOutboxMessage): TransactItem {
  const { tenantId, service, queue, delaySeconds } = message
  checkDelaySeconds(delaySeconds)
  const body = JSON.stringify(message.body)
  if (body === undefined) throw new TypeError(`The message to queue ${queue} is not JSON`)
  const id = newId()
  const bytes = messageBytes(body, id)
  if (bytes > MAX_MESSAGE_BYTES)
    throw new RangeError(`The message to queue ${queue} is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES} fit`)
  return {
    Put: {
      TableName: tableName,
      Item: {
        pk: tenantKey(tenantId, 'OUTBOX', id),
        sk: 'OUTBOX',
        kind: 'queue',
        id,
        service,
        queue,
        body,
        ...(delaySeconds ? { delaySeconds } : {}),
        ttl: Math.floor(Date.now() / 1000) + OUTBOX_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }
}

/**
 * Writes `items` and one outbox item per event in ONE TransactWriteItems: the entity change and
 * the events announcing it are committed together or not at all (no lost events).
 *
 * Inside a request holding an idempotency claim, the transaction also marks the claim committed
 * (see `idempotency-claim.ts`): the write and "this key was applied" land together, and the write
 * cannot land once the request gave its key up. That Update is one of the 100 items a
 * transaction may hold, so a keyed request has room for 99.
 *
 * Throws (before any write) when the total exceeds 100 items or an event exceeds 256 KB, which
 * PutEvents could never publish.
 *
 * @example
 * await transactWithEvents(table, [{ Put: { TableName: table, Item: contact, ConditionExpression: 'attribute_not_exists(pk)' } }], [
 *   newEvent({ source: 'crm.contacts', detailType: 'Contact.Created', tenantId, data: contact, correlationId }),
 * ])
 */
export async function transactWithEvents(
  tableName: string,
  items: TransactItem[],
  events: DomainEvent[],
): Promise<void> {
  const all = [...items]
  for (const event of events) {
    const size = eventEntrySize(event.source, event.detailType, JSON.stringify(event.detail))
    if (size > MAX_EVENT_ENTRY_BYTES) {
      throw new Error(
        `Event ${event.detailType} is ${size} bytes; PutEvents accepts at most ${MAX_EVENT_ENTRY_BYTES}`,
      )
    }
    all.push(outboxPut(tableName, event))
  }
  if (all.length === 0) return
  const claim = claimCommitItem()
  if (claim) all.push(claim)
  if (all.length > MAX_TRANSACT_ITEMS) {
    throw new Error(`A transaction holds at most ${MAX_TRANSACT_ITEMS} items; got ${all.length}`)
  }
  await documentClient().send(new TransactWriteCommand({ TransactItems: all }))
}
