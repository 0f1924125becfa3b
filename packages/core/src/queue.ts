/**
 * Sending to a service's work queues (SQS): internal fan-out such as import chunks, campaign send
 * batches and SLA timers, which must not show on the public bus (DESIGN §3). The queue publisher
 * (`./queue-publisher.ts`) sends what handlers and workers wrote into the outbox (`queueOutboxPut`);
 * a module of its own so that only that publisher (and a function that really must send directly) bundles
 * @aws-sdk/client-sqs, while writers (`./outbox.ts`) and consumers (`./worker.ts`) do not.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs'
import { ENV } from './manifest.js'
import { queueEnvVar } from './names.js'
import { checkDelaySeconds, MAX_MESSAGE_BYTES, MESSAGE_ID_ATTRIBUTE, messageBytes } from './queue-message.js'

export { MAX_DELAY_SECONDS, MAX_MESSAGE_BYTES } from './queue-message.js'

/** SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10
/** SendMessageBatch refuses a request whose bodies add up to more than 1 MiB. */
export const MAX_BATCH_BYTES = 1_048_576
/** Tries of the entries SQS reports failed on its side (throttling, internal errors). */
const SEND_TRIES = 4
const RETRY_BASE_MS = 50

let client: SQSClient | undefined

/**
 * The SQS client, created on first use so that `SQS_ENDPOINT` set after import (local runtime,
 * tests) is honoured.
 */
export function sqsClient(): SQSClient {
  if (!client) {
    const endpoint = process.env[ENV.sqsEndpoint]
    client = new SQSClient(endpoint ? { endpoint } : {})
  }
  return client
}

/** Forgets the shared client (tests that change `SQS_ENDPOINT` or mock the client). */
export function resetSqsClient(): void {
  client = undefined
}

/**
 * URL of one of a service's queues, read from env `queueEnvVar(service, queue)`.
 *
 * @example
 * queueUrl('contacts', 'import-chunks') // process.env.CONTACTS_IMPORT_CHUNKS_QUEUE_URL
 */
export function queueUrl(service: string, queue: string): string {
  const name = queueEnvVar(service, queue)
  const value = process.env[name]
  if (!value)
    throw new Error(`Environment variable ${name} (queue '${queue}' of service '${service}') is not set`)
  return value
}

export interface SendOptions {
  /** Seconds before the messages become visible to the consumer (0 to 900). */
  delaySeconds?: number
}

/** One message as sent: its body already JSON, its own delay, and the id it keeps across re-sends. */
export interface QueueMessage {
  body: string
  delaySeconds?: number | undefined
  /** Sent as attribute `relay-message-id`: consumers dedupe by it (`./worker.ts`). */
  id?: string | undefined
}

/** Some messages could not be sent even after retries; `failed` names them by their index in `bodies`. */
export class QueueSendError extends Error {
  constructor(
    readonly queue: string,
    readonly failed: readonly { index: number; code: string; message: string }[],
  ) {
    super(
      `${failed.length} message(s) not sent to queue ${queue}: ${failed
        .slice(0, 3)
        .map((f) => `#${f.index} ${f.code}`)
        .join(', ')}`,
    )
    this.name = 'QueueSendError'
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Groups entries into SendMessageBatch requests within the count and total-size limits. */
function batches<E extends { bytes: number }>(entries: readonly E[]): E[][] {
  const out: E[][] = []
  let current: E[] = []
  let bytes = 0
  for (const entry of entries) {
    if (current.length === MAX_BATCH_ENTRIES || bytes + entry.bytes > MAX_BATCH_BYTES) {
      out.push(current)
      current = []
      bytes = 0
    }
    current.push(entry)
    bytes += entry.bytes
  }
  if (current.length) out.push(current)
  return out
}

/**
 * Sends each body (as JSON) to a queue of `service`, 10 to a SendMessageBatch, retrying the entries
 * SQS failed on its side. Resolves once every message is accepted; throws {@link QueueSendError}
 * naming the ones that were not (a sender fault, such as an oversized body, is not retried).
 *
 * Handlers and workers do not call this: their writes carry their messages through the outbox
 * (`queueOutboxPut`, `./outbox.ts`), so a message is sent if and only if its write commits.
 *
 * @example
 * await sendToQueue('contacts', 'import-chunks', chunks.map((c) => ({ tenantId, jobId, chunk: c.index })))
 * await sendToQueue('service-desk', 'sla-timers', [{ tenantId, ticketId }], { delaySeconds: 900 })
 */
export async function sendToQueue(
  service: string,
  queue: string,
  bodies: readonly unknown[],
  options: SendOptions = {},
): Promise<void> {
  const { delaySeconds } = options
  checkDelaySeconds(delaySeconds)
  const messages = bodies.map((value, index) => {
    const body = JSON.stringify(value)
    if (body === undefined) throw new TypeError(`Message #${index} to queue ${queue} is not JSON`)
    return { body, delaySeconds }
  })
  await sendQueueMessages(service, queue, messages)
}

/**
 * Sends messages whose bodies are JSON already, each with its own delay and stable id (what the
 * queue publisher sends); otherwise as {@link sendToQueue}. `QueueSendError.failed` indexes `messages`.
 */
export async function sendQueueMessages(
  service: string,
  queue: string,
  messages: readonly QueueMessage[],
): Promise<void> {
  if (messages.length === 0) return
  const url = queueUrl(service, queue)
  const entries = messages.map((m, index) => {
    checkDelaySeconds(m.delaySeconds)
    const bytes = messageBytes(m.body, m.id)
    if (bytes > MAX_MESSAGE_BYTES)
      throw new RangeError(
        `Message #${index} to queue ${queue} is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES} fit`,
      )
    return { index, message: m, bytes }
  })

  const failed: { index: number; code: string; message: string }[] = []
  for (const batch of batches(entries)) {
    let pending = batch
    for (let attempt = 1; pending.length; attempt++) {
      const request: SendMessageBatchRequestEntry[] = pending.map(({ index, message: m }) => ({
        Id: String(index),
        MessageBody: m.body,
        ...(m.delaySeconds !== undefined ? { DelaySeconds: m.delaySeconds } : {}),
        ...(m.id !== undefined
          ? { MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: m.id } } }
          : {}),
      }))
      const result = await sqsClient().send(new SendMessageBatchCommand({ QueueUrl: url, Entries: request }))
      const retry: typeof pending = []
      for (const f of result.Failed ?? []) {
        const entry = pending.find((e) => String(e.index) === f.Id)
        if (!entry) continue
        if (!f.SenderFault && attempt < SEND_TRIES) retry.push(entry)
        else failed.push({ index: entry.index, code: f.Code ?? 'Unknown', message: f.Message ?? '' })
      }
      pending = retry
      if (pending.length) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1))
    }
  }
  if (failed.length) throw new QueueSendError(queue, failed)
}
