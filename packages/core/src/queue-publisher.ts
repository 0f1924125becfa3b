/**
 * The queue publisher: the second reader of every outbox table's stream whose service declares
 * work queues, filtered to INSERTs of queue-outbox items (`kind = queue`). It sends each to its SQS
 * queue (URL from env `<SERVICE>_<QUEUE>_QUEUE_URL`, with the item's delay and its id as attribute
 * `relay-message-id`). Events (`kind = outbox`) are the event publisher's (`./outbox-publisher.ts`),
 * so this bundle carries no EventBridge client. What could not be sent is retried, then reported as
 * batch item failures, so Lambda (or the local poller) retries it: no message is ever dropped.
 *
 * Limits: SendMessageBatch at most 10 entries and 1 MiB (`./queue.ts`).
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { createLogger } from './log.js'
import { QueueSendError, sendQueueMessages } from './queue.js'
import { checkDelaySeconds, isStableMessageId } from './queue-message.js'
import {
  batchItemFailures,
  insertedItem,
  type PublisherOptions,
  sequenceOf,
  withRetries,
} from './stream-records.js'

const logger = createLogger('queue-publisher')

export type QueuePublisherOptions = PublisherOptions

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

/** The work message of one stream record, or undefined when the record is not a new queue-outbox item. */
export function queueEntry(record: DynamoDBRecord): QueueEntry | undefined {
  const image = insertedItem(record, 'queue')
  if (!image) return undefined
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
    // An item that can never be sent would block the shard forever.
    logger.error('Malformed queue outbox item skipped', { pk: image.pk })
    return undefined
  }
  return { service, queue, body, id, ...(delaySeconds ? { delaySeconds } : {}) }
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

/**
 * A stream handler sending queue-outbox items. {@link handler} is this with the defaults.
 *
 * @example
 * export const handler = createQueuePublisher({ maxAttempts: 4 })
 */
export function createQueuePublisher(
  options: QueuePublisherOptions = {},
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const pending: PendingMessage[] = []
    for (const record of event.Records ?? []) {
      const message = queueEntry(record)
      if (message) pending.push({ sequenceNumber: sequenceOf(record), message })
    }
    const unsent = await withRetries(pending, options, send)
    if (unsent.length) {
      logger.error('Queue outbox items not sent; reporting them for retry', { messages: unsent.length })
    }
    return batchItemFailures(event, new Set(unsent.map((p) => p.sequenceNumber)))
  }
}

/** The Lambda entry wired to the stream of every outbox table whose service has queues, filtered to queue items. */
export const handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> = createQueuePublisher()
