/** S3 → Lambda locally: the event notification of a created object, and the triggers that deliver it. */
import { EventEmitter } from 'node:events'
import type { S3Event } from 'aws-lambda'
import type { Invoker } from '../invoke.js'
import type { ObjectCreated } from './server.js'

/**
 * An object key as S3 writes it into event notifications: form-URL-encoded (`red flower.jpg` →
 * `red+flower.jpg`), `/` kept. Decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function eventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/')
}

/** The S3 event notification of one created object, shaped as S3 sends it to Lambda. */
export function s3EventOf(created: ObjectCreated, configurationId: string, region: string): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: created.time,
        eventName: created.eventName,
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: created.sourceIp },
        responseElements: { 'x-amz-request-id': created.requestId, 'x-amz-id-2': created.requestId },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: {
            name: created.bucket,
            ownerIdentity: { principalId: 'LOCAL' },
            arn: `arn:aws:s3:::${created.bucket}`,
          },
          object: {
            key: eventKey(created.key),
            size: created.size,
            eTag: created.etag.replace(/"/g, ''),
            sequencer: Date.now().toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      },
    ],
  }
}

/** One manifest object trigger, with its bucket's physical name. */
export interface ObjectTriggerRef {
  service: string
  name: string
  bucket: string
  prefix: string
  function: string
}

export interface ObjectTriggerEvents {
  /** A trigger's function handled the event. */
  invoked: [{ trigger: ObjectTriggerRef; event: S3Event; attempts: number }]
  /** A trigger's function failed on every try (Lambda would send it to the on-failure destination). */
  failed: [{ trigger: ObjectTriggerRef; event: S3Event; attempts: number; error: string }]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * S3 → Lambda locally: each created object whose key starts with a trigger's prefix invokes the
 * trigger's function asynchronously, like S3's asynchronous invocation: a first try and as many
 * retries as delays are given (Lambda: 2).
 */
export class ObjectTriggers extends EventEmitter<ObjectTriggerEvents> {
  private readonly inFlight = new Set<Promise<void>>()
  private closed = false

  constructor(
    private readonly options: {
      triggers: readonly ObjectTriggerRef[]
      invoker: Invoker
      region: string
      retryDelaysMs: readonly number[]
      log?(line: string): void
    },
  ) {
    super()
  }

  notify(created: ObjectCreated): void {
    for (const trigger of this.options.triggers) {
      if (trigger.bucket !== created.bucket || !created.key.startsWith(trigger.prefix)) continue
      const job = this.deliver(trigger, s3EventOf(created, trigger.name, this.options.region))
      this.inFlight.add(job)
      void job.finally(() => this.inFlight.delete(job))
    }
  }

  /** Resolves when no invocation is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight])
  }

  /** Stops retrying; invocations under way finish. */
  async close(): Promise<void> {
    this.closed = true
    await this.idle()
  }

  private async deliver(trigger: ObjectTriggerRef, event: S3Event): Promise<void> {
    const delays = this.options.retryDelaysMs
    let lastError: unknown
    // Asynchronous like S3: never inside the PutObject call.
    await Promise.resolve()
    for (let i = 0; i <= delays.length; i++) {
      if (i > 0) {
        if (this.closed) break
        await sleep(delays[i - 1]!)
      }
      try {
        await this.options.invoker.invoke(trigger.service, trigger.function, event, 'event')
        this.emit('invoked', { trigger, event, attempts: i + 1 })
        return
      } catch (err) {
        lastError = err
        this.options.log?.(
          `s3: ${trigger.service}/${trigger.name} failed on ${event.Records[0]?.s3.object.key} (try ${i + 1}): ${(err as Error).message}`,
        )
      }
    }
    const error = lastError instanceof Error ? lastError.message : String(lastError)
    this.options.log?.(`s3: ${trigger.service}/${trigger.name} gave up: ${error}`)
    this.emit('failed', { trigger, event, attempts: delays.length + 1, error })
  }
}
