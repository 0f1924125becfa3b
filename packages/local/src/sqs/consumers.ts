/**
 * The SQS → Lambda event source mapping, locally: each manifest queue is long-polled by as many
 * loops as its `maxConcurrency`, every batch invokes the consumer with SQS's event shape, and the
 * answer is read as Lambda reads it with ReportBatchItemFailures: the messages named in
 * `batchItemFailures` (all of them when the function throws or names an unknown id) stay on the
 * queue and come back after their visibility timeout; the others are deleted.
 */
import { EventEmitter } from 'node:events'
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda'
import type { Invoker } from '../invoke.js'
import type { QueueStore, ReceivedMessage } from './queues.js'

/** One manifest queue as the consumers see it. */
export interface ConsumedQueue {
  service: string
  /** Logical name (key of `manifest.queues`). */
  queue: string
  /** Physical name: `crm-<stage>-<service>-<queue>`. */
  name: string
  arn: string
  function: string
  batchSize: number
  concurrency: number
}

export interface ConsumerEvents {
  invoked: [{ queue: ConsumedQueue; messages: number; failed: number; at: number }]
  failed: [{ queue: ConsumedQueue; messages: number; error: Error; at: number }]
}

/** How long one receive waits for a message before the loop looks again (stop ends it at once). */
const POLL_WAIT_SECONDS = 20
const RETRY_AFTER_ERROR_MS = 1000

function recordOf(r: ReceivedMessage, arn: string, region: string, account: string): SQSRecord {
  const m = r.message
  const messageAttributes: SQSMessageAttributes = {}
  for (const [name, a] of Object.entries(m.attributes ?? {})) {
    messageAttributes[name] = {
      dataType: a.DataType,
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
    }
  }
  return {
    messageId: m.id,
    receiptHandle: r.receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: account,
      ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
    },
    messageAttributes,
    md5OfBody: m.md5,
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  }
}

/**
 * The ids that failed, as Lambda reads a partial batch response: none for an empty or absent
 * list, every id when the answer names one that is not in the batch (or none at all).
 */
export function failedIds(result: unknown, ids: readonly string[]): Set<string> {
  const failures = (result as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures
  if (failures === undefined || failures === null) return new Set()
  if (!Array.isArray(failures)) return new Set(ids)
  const out = new Set<string>()
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier
    if (typeof id !== 'string' || !ids.includes(id)) return new Set(ids)
    out.add(id)
  }
  return out
}

export class QueueConsumers extends EventEmitter<ConsumerEvents> {
  private readonly abort = new AbortController()
  private loops: Promise<void>[] = []
  private active = 0

  constructor(
    private readonly opts: {
      store: QueueStore
      queues: readonly ConsumedQueue[]
      invoker: Invoker
      region: string
      account: string
      log(line: string): void
    },
  ) {
    super()
  }

  start(): void {
    if (this.loops.length) return
    for (const q of this.opts.queues) {
      for (let i = 0; i < q.concurrency; i++) this.loops.push(this.loop(q))
    }
  }

  private async loop(q: ConsumedQueue): Promise<void> {
    const { store, invoker, log } = this.opts
    const signal = this.abort.signal
    while (!signal.aborted) {
      let got: ReceivedMessage[]
      try {
        got = await store.receive(q.name, { max: q.batchSize, waitSeconds: POLL_WAIT_SECONDS, signal })
      } catch (err) {
        log(`queue ${q.service}/${q.queue}: receive failed: ${(err as Error).message}`)
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_ERROR_MS))
        continue
      }
      if (!got.length) continue
      this.active++
      try {
        const event: SQSEvent = {
          Records: got.map((r) => recordOf(r, q.arn, this.opts.region, this.opts.account)),
        }
        const ids = got.map((r) => r.message.id)
        let failed: Set<string>
        try {
          failed = failedIds(await invoker.invoke(q.service, q.function, event, 'event'), ids)
          this.emit('invoked', { queue: q, messages: got.length, failed: failed.size, at: Date.now() })
        } catch (err) {
          failed = new Set(ids)
          log(
            `queue ${q.service}/${q.queue} → ${q.function} failed (${got.length} messages back after their visibility timeout): ${(err as Error).message}`,
          )
          this.emit('failed', { queue: q, messages: got.length, error: err as Error, at: Date.now() })
        }
        const done = got.filter((r) => !failed.has(r.message.id)).map((r) => r.receiptHandle)
        if (done.length)
          await store
            .delete(q.name, done)
            .catch((err: Error) => log(`queue ${q.name}: delete failed: ${err.message}`))
        if (failed.size && failed.size < got.length)
          log(
            `queue ${q.service}/${q.queue} → ${q.function}: ${failed.size} of ${got.length} messages failed`,
          )
      } finally {
        this.active--
      }
    }
  }

  /**
   * Resolves once no consumed queue holds a message outside its dead-letter queue and no batch is
   * being handled (failed messages are waited for until they succeed or are dead-lettered).
   */
  async idle(pollMs = 20): Promise<void> {
    const busy = () =>
      this.active > 0 ||
      this.opts.queues.some((q) => {
        const c = this.opts.store.counts(q.name)
        return c.visible + c.inFlight + c.delayed > 0
      })
    while (busy()) await new Promise((resolve) => setTimeout(resolve, pollMs))
  }

  /** Stops polling; batches being handled finish first (their messages are then deleted or left). */
  async stop(): Promise<void> {
    this.abort.abort()
    await Promise.all(this.loops)
    this.loops = []
  }
}
