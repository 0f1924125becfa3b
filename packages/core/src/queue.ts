/**
 * Sending to a service's work queues (SQS): internal fan-out such as import chunks, campaign send
 * batches and SLA timers, which must not show on the public bus (DESIGN §3). A module of its own so
 * that only the functions that send bundle @aws-sdk/client-sqs; consumers are built by
 * `./worker.ts`, which does not import it.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs'
import { ENV } from './manifest.js'
import { queueEnvVar } from './names.js'

/** SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10
/**
 * Largest body sent: 256 KiB, the MaximumMessageSize every queue accepts whatever its default
 * (SQS raised its ceiling to 1 MiB in 2025, but queues created before keep 256 KiB).
 */
export const MAX_MESSAGE_BYTES = 262_144
/** SendMessageBatch refuses a request whose bodies add up to more than 1 MiB. */
export const MAX_BATCH_BYTES = 1_048_576
/** SQS's longest delivery delay: 15 minutes. */
export const MAX_DELAY_SECONDS = 900
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
function batches(entries: readonly { index: number; body: string; bytes: number }[]) {
  const out: (typeof entries)[number][][] = []
  let current: (typeof entries)[number][] = []
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
  if (
    delaySeconds !== undefined &&
    (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS)
  )
    throw new RangeError(`delaySeconds must be a whole number from 0 to ${MAX_DELAY_SECONDS}`)
  if (bodies.length === 0) return
  const url = queueUrl(service, queue)
  const entries = bodies.map((value, index) => {
    const body = JSON.stringify(value)
    if (body === undefined) throw new TypeError(`Message #${index} to queue ${queue} is not JSON`)
    const bytes = Buffer.byteLength(body)
    if (bytes > MAX_MESSAGE_BYTES)
      throw new RangeError(
        `Message #${index} to queue ${queue} is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES} fit`,
      )
    return { index, body, bytes }
  })

  const failed: { index: number; code: string; message: string }[] = []
  for (const batch of batches(entries)) {
    let pending = batch
    for (let attempt = 1; pending.length; attempt++) {
      const request: SendMessageBatchRequestEntry[] = pending.map((e) => ({
        Id: String(e.index),
        MessageBody: e.body,
        ...(delaySeconds !== undefined ? { DelaySeconds: delaySeconds } : {}),
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
