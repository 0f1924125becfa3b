/**
 * The event publisher: the stream of every `outbox: true` table invokes it, filtered to INSERTs of
 * event items (`kind = outbox`), and it puts them on EventBridge. Work messages (`kind = queue`)
 * go to the other reader of the same stream, the queue publisher (`./queue-publisher.ts`), so this
 * bundle carries no SQS client. What could not be published is retried, then reported as batch
 * item failures, so Lambda (or the local poller) retries it: no event is ever dropped.
 *
 * Limits: PutEvents at most 10 entries and 256 KB per call.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { createLogger } from './log.js'
import { ENV } from './manifest.js'
import { eventEntrySize, MAX_EVENT_ENTRY_BYTES } from './outbox.js'
import {
  batchItemFailures,
  insertedItem,
  type PublisherOptions,
  sequenceOf,
  withRetries,
} from './stream-records.js'

/** PutEvents' limit of entries per call. */
export const MAX_ENTRIES_PER_CALL = 10

const logger = createLogger('outbox-publisher')
let client: EventBridgeClient | undefined

/** The EventBridge client, created on first use (EVENTS_ENDPOINT is read then). */
export function eventBridgeClient(): EventBridgeClient {
  if (!client) {
    const endpoint = process.env[ENV.eventsEndpoint]
    client = new EventBridgeClient(endpoint ? { endpoint } : {})
  }
  return client
}

/** Forgets the client (tests that change EVENTS_ENDPOINT). */
export function resetEventBridgeClient(): void {
  client = undefined
}

export type OutboxPublisherOptions = PublisherOptions

interface Pending {
  sequenceNumber: string
  entry: PutEventsRequestEntry
  size: number
}

/** The EventBridge entry of one stream record, or undefined when the record is not a new outbox item. */
export function outboxEntry(record: DynamoDBRecord, eventBusName: string): PutEventsRequestEntry | undefined {
  const image = insertedItem(record, 'outbox')
  if (!image) return undefined
  const detail = image.detail as { occurredAt?: unknown } | undefined
  if (
    typeof image.source !== 'string' ||
    typeof image.detailType !== 'string' ||
    !detail ||
    typeof detail !== 'object'
  ) {
    // A malformed outbox item can never be published; retrying it would block the shard forever.
    logger.error('Malformed outbox item skipped', { pk: image.pk })
    return undefined
  }
  const time = typeof detail.occurredAt === 'string' ? new Date(detail.occurredAt) : undefined
  return {
    Source: image.source,
    DetailType: image.detailType,
    Detail: JSON.stringify(detail),
    EventBusName: eventBusName,
    ...(time && !Number.isNaN(time.getTime()) ? { Time: time } : {}),
  }
}

/** Splits entries into PutEvents calls of ≤ 10 entries and ≤ 256 KB. */
function chunk(pending: Pending[]): Pending[][] {
  const chunks: Pending[][] = []
  let current: Pending[] = []
  let bytes = 0
  for (const p of pending) {
    if (
      current.length === MAX_ENTRIES_PER_CALL ||
      (current.length > 0 && bytes + p.size > MAX_EVENT_ENTRY_BYTES)
    ) {
      chunks.push(current)
      current = []
      bytes = 0
    }
    current.push(p)
    bytes += p.size
  }
  if (current.length) chunks.push(current)
  return chunks
}

/** One PutEvents call; returns the entries that failed (all of them when the call itself failed). */
async function put(batch: Pending[]): Promise<Pending[]> {
  try {
    const out = await eventBridgeClient().send(new PutEventsCommand({ Entries: batch.map((p) => p.entry) }))
    if (!out.FailedEntryCount) return []
    // Result entries are in request order; a failed one carries an ErrorCode.
    return batch.filter((_, i) => {
      const result = out.Entries?.[i]
      return !result || result.ErrorCode !== undefined || !result.EventId
    })
  } catch (err) {
    logger.warn('PutEvents call failed', err as Error)
    return batch
  }
}

/**
 * A stream handler publishing event items. {@link handler} is this with the defaults.
 *
 * @example
 * export const handler = createOutboxPublisher({ maxAttempts: 4 })
 */
export function createOutboxPublisher(
  options: OutboxPublisherOptions = {},
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const eventBusName = process.env[ENV.eventBusName]
    if (!eventBusName) throw new Error(`${ENV.eventBusName} is not set`)
    const pending: Pending[] = []
    for (const record of event.Records ?? []) {
      const entry = outboxEntry(record, eventBusName)
      if (!entry) continue
      pending.push({
        sequenceNumber: sequenceOf(record),
        entry,
        size: eventEntrySize(entry.Source ?? '', entry.DetailType ?? '', entry.Detail ?? ''),
      })
    }
    const unsent = await withRetries(pending, options, async (left) => {
      const failed: Pending[] = []
      for (const batch of chunk(left)) failed.push(...(await put(batch)))
      return failed
    })
    if (unsent.length) {
      logger.error('Outbox events not published; reporting them for retry', { events: unsent.length })
    }
    return batchItemFailures(event, new Set(unsent.map((p) => p.sequenceNumber)))
  }
}

/** The Lambda entry wired to every outbox table's stream, filtered to event items. */
export const handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> = createOutboxPublisher()
