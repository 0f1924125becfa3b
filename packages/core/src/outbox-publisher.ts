/**
 * The shared outbox publisher: the stream of every `outbox: true` table invokes it. It publishes the
 * outbox items (INSERTs): events (`kind = outbox`) to EventBridge, work messages (`kind = queue`) to
 * their SQS queue (URL from env `<SERVICE>_<QUEUE>_QUEUE_URL`, with the item's delay and its id as
 * attribute `relay-message-id`). What could not be published is retried, then reported as batch
 * item failures, so Lambda (or the local poller) retries it: no event or message is ever dropped.
 *
 * Limits: PutEvents at most 10 entries and 256 KB per call; SendMessageBatch at most 10 entries
 * and 1 MiB (`./queue.ts`).
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { createLogger } from './log.js'
import { ENV } from './manifest.js'
import { eventEntrySize, MAX_EVENT_ENTRY_BYTES } from './outbox.js'
import { QueueSendError, sendQueueMessages } from './queue.js'
import { checkDelaySeconds, isStableMessageId } from './queue-message.js'

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

export interface OutboxPublisherOptions {
  /** Attempts per entry within one invocation, default 4. */
  maxAttempts?: number
  /** First backoff delay; doubled each attempt, with jitter. Default 100 ms. */
  baseDelayMs?: number
}

interface Pending {
  sequenceNumber: string
  entry: PutEventsRequestEntry
  size: number
}

/** A queue-outbox item as the publisher sends it. */
export interface QueueEntry {
  service: string
  queue: string
  /** The message's JSON. */
  body: string
  delaySeconds?: number | undefined
  /** The outbox item's id: the message's stable id. */
  id: string
}

interface PendingMessage {
  sequenceNumber: string
  message: QueueEntry
}

/** The EventBridge entry of one stream record, or undefined when the record is not a new outbox item. */
export function outboxEntry(record: DynamoDBRecord, eventBusName: string): PutEventsRequestEntry | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined
  const image = unmarshall(record.dynamodb.NewImage as never) as Record<string, unknown>
  if (image.kind !== 'outbox') return undefined
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

/** The work message of one stream record, or undefined when the record is not a new queue-outbox item. */
export function queueEntry(record: DynamoDBRecord): QueueEntry | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined
  const image = unmarshall(record.dynamodb.NewImage as never) as Record<string, unknown>
  if (image.kind !== 'queue') return undefined
  const { service, queue, body, id } = image
  const delaySeconds = image.delaySeconds === undefined ? undefined : Number(image.delaySeconds)
  let delayOk = true
  try {
    checkDelaySeconds(delaySeconds)
  } catch {
    delayOk = false
  }
  if (
    typeof service !== 'string' ||
    typeof queue !== 'string' ||
    typeof body !== 'string' ||
    !isStableMessageId(id) ||
    !delayOk
  ) {
    // As for events: an item that can never be sent would block the shard forever.
    logger.error('Malformed queue outbox item skipped', { pk: image.pk })
    return undefined
  }
  return { service, queue, body, id, ...(delaySeconds ? { delaySeconds } : {}) }
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

/** Sends the messages, one SendMessageBatch series per queue; returns those not sent. */
async function send(pending: PendingMessage[]): Promise<PendingMessage[]> {
  const byQueue = new Map<string, PendingMessage[]>()
  for (const p of pending) {
    const key = `${p.message.service}\u0000${p.message.queue}`
    byQueue.set(key, [...(byQueue.get(key) ?? []), p])
  }
  const failed: PendingMessage[] = []
  for (const group of byQueue.values()) {
    const { service, queue } = group[0]!.message
    try {
      await sendQueueMessages(
        service,
        queue,
        group.map(({ message: m }) => ({ body: m.body, delaySeconds: m.delaySeconds, id: m.id })),
      )
    } catch (err) {
      if (err instanceof QueueSendError) {
        logger.warn('SendMessageBatch entries failed', { service, queue, failed: err.failed })
        failed.push(...err.failed.map((f) => group[f.index]!))
      } else {
        logger.warn('SendMessageBatch call failed', { service, queue, error: err as Error })
        failed.push(...group)
      }
    }
  }
  return failed
}

const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? record.eventID ?? ''

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A stream handler publishing outbox items. {@link handler} is this with the defaults.
 *
 * @example
 * export const handler = createOutboxPublisher({ maxAttempts: 4 })
 */
export function createOutboxPublisher(
  options: OutboxPublisherOptions = {},
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4)
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 100)
  return async (event) => {
    const eventBusName = process.env[ENV.eventBusName]
    if (!eventBusName) throw new Error(`${ENV.eventBusName} is not set`)
    let pending: Pending[] = []
    let messages: PendingMessage[] = []
    for (const record of event.Records ?? []) {
      const sequenceNumber = sequenceOf(record)
      const message = queueEntry(record)
      if (message) messages.push({ sequenceNumber, message })
      const entry = outboxEntry(record, eventBusName)
      if (!entry) continue
      pending.push({
        sequenceNumber,
        entry,
        size: eventEntrySize(entry.Source ?? '', entry.DetailType ?? '', entry.Detail ?? ''),
      })
    }
    for (let attempt = 1; pending.length + messages.length > 0 && attempt <= maxAttempts; attempt++) {
      if (attempt > 1 && baseDelayMs > 0) {
        await sleep(baseDelayMs * 2 ** (attempt - 2) * (0.5 + Math.random() / 2))
      }
      const failed: Pending[] = []
      for (const batch of chunk(pending)) failed.push(...(await put(batch)))
      pending = failed
      messages = await send(messages)
    }
    if (pending.length + messages.length) {
      logger.error('Outbox items not published; reporting them for retry', {
        events: pending.length,
        messages: messages.length,
      })
    }
    // In stream order: Lambda resumes the shard at the earliest failure.
    const unsent = new Set([...pending, ...messages].map((p) => p.sequenceNumber))
    const failures = [...new Set((event.Records ?? []).map(sequenceOf))].filter((s) => unsent.has(s))
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) }
  }
}

/** The shared Lambda entry wired to every outbox table's stream. */
export const handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> = createOutboxPublisher()
