/**
 * A local EventBridge bus: turns PutEvents entries into full EventBridge events, matches them against
 * every manifest subscription (EventBridge pattern semantics, `./bus/pattern.ts`) and delivers them
 * asynchronously, at least once, by invoking the subscription's function. Deliveries that keep failing
 * land in a persisted dead-letter list that can be listed and redriven.
 */
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { join } from 'node:path'
import { DeliveryJournal, type JournalEntry } from './bus/journal.js'
import { compilePattern, validatePattern } from './bus/pattern.js'
import { type Invoker, LOCAL_ACCOUNT, type LocalService } from './invoke.js'
import { readJson, writeJsonAtomic } from './persist.js'

/** An event as EventBridge hands it to a target. */
export interface BusEvent {
  version: '0'
  id: string
  'detail-type': string
  source: string
  account: string
  time: string
  region: string
  resources: string[]
  detail: unknown
}

/** A PutEvents request entry (the SDK's `PutEventsRequestEntry` as it travels over JSON 1.1). */
export interface PutEntry {
  Source?: string
  DetailType?: string
  Detail?: string
  Resources?: string[]
  /** Epoch seconds (how the SDK serialises it) or an ISO string. */
  Time?: number | string
  EventBusName?: string
  TraceHeader?: string
}

export type PutResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string }

export interface SubscriptionRef {
  service: string
  name: string
  function: string
}

export interface DeadLetter {
  /** Id of this dead letter (not the event's). */
  id: string
  event: BusEvent
  subscription: SubscriptionRef
  error: string
  attempts: number
  failedAt: string
}

/** Payloads of the bus's emitter events; `at` is `Date.now()` when it happened. */
export interface BusEvents {
  published: [{ event: BusEvent; at: number; targets: number }]
  delivered: [{ event: BusEvent; subscription: SubscriptionRef; attempts: number; at: number }]
  'dead-lettered': [{ deadLetter: DeadLetter; at: number }]
}

export interface LocalBusOptions {
  services: readonly LocalService[]
  invoker: Invoker
  /** Where dead letters (`dead-letters.json`) and unfinished deliveries (`bus-deliveries.jsonl`) persist; none = memory only. */
  dataDir?: string
  /** Wait before each retry; tries = length + 1. Default 4 tries: [250, 1000, 4000] ms. */
  retryDelaysMs?: readonly number[]
  /** How many recent events to keep for `/_local/events`. Default 1000. */
  keepEvents?: number
  /**
   * Tries running at once (default 64): a bound on what one burst can put in flight in the one
   * process the API shares with every subscriber, high enough not to slow delivery (measured: 2 000
   * keyed creates at 32 in flight drain as fast as unbounded; at 8 the bus fell 8 s behind).
   */
  maxConcurrentDeliveries?: number
  region?: string
  log?(line: string): void
}

interface CompiledSubscription extends SubscriptionRef {
  test: (event: unknown) => boolean
}

/** Thrown at start-up when a manifest subscription's pattern is invalid. */
export class InvalidSubscriptionError extends Error {
  constructor(service: string, name: string, cause: unknown) {
    super(
      `Service "${service}", subscription "${name}": ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    )
    this.name = 'InvalidSubscriptionError'
  }
}

/**
 * Validates and compiles every subscription of every manifest.
 * @throws InvalidSubscriptionError naming the service and subscription of the first invalid pattern
 */
export function compileSubscriptions(services: readonly LocalService[]): CompiledSubscription[] {
  const out: CompiledSubscription[] = []
  for (const { manifest } of services) {
    for (const sub of manifest.subscriptions) {
      try {
        validatePattern(sub.pattern)
      } catch (err) {
        throw new InvalidSubscriptionError(manifest.name, sub.name, err)
      }
      if (!manifest.functions[sub.function]) {
        throw new InvalidSubscriptionError(manifest.name, sub.name, `unknown function "${sub.function}"`)
      }
      out.push({
        service: manifest.name,
        name: sub.name,
        function: sub.function,
        test: compilePattern(sub.pattern),
      })
    }
  }
  return out
}

/** One accepted delivery of an event to one subscription, journaled until it is finished. */
interface Delivery {
  event: BusEvent
  subscription: SubscriptionRef
}

/** The local bus. Emits `published`, `delivered` and `dead-lettered` (see {@link BusEvents}). */
export class LocalBus extends EventEmitter<BusEvents> {
  readonly region: string
  private readonly subscriptions: CompiledSubscription[]
  private readonly seen: BusEvent[] = []
  private dead: DeadLetter[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private readonly deadFile: string | undefined
  private readonly journal: DeliveryJournal<Delivery> | undefined
  /** Deliveries found in the journal at `load()`, started by `resume()`. */
  private recovered: JournalEntry<Delivery>[] = []
  /** Set by `close()`: no new try starts, and what still fails stays journaled for the next start. */
  private closed = false
  private readonly wakeOnClose = new Set<() => void>()
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly options: LocalBusOptions) {
    super()
    this.region = options.region ?? process.env.AWS_REGION ?? 'us-east-1'
    this.subscriptions = compileSubscriptions(options.services)
    this.deadFile = options.dataDir ? join(options.dataDir, 'dead-letters.json') : undefined
    this.journal = options.dataDir
      ? new DeliveryJournal<Delivery>(join(options.dataDir, 'bus-deliveries.jsonl'))
      : undefined
  }

  /** Loads persisted dead letters and the deliveries a previous process left unfinished. */
  async load(): Promise<void> {
    if (this.deadFile) this.dead = await readJson<DeadLetter[]>(this.deadFile, [])
    if (this.journal) this.recovered = await this.journal.open()
  }

  /**
   * Starts the deliveries recovered by `load()` (call once the functions' world is up); resolves
   * with how many were restarted.
   */
  resume(): number {
    const recovered = this.recovered
    this.recovered = []
    if (recovered.length) this.options.log?.(`bus: resuming ${recovered.length} unfinished deliveries`)
    for (const { id, value } of recovered) {
      const target = this.subscriptions.find((s) => key(s) === key(value.subscription)) ?? {
        ...value.subscription,
        test: () => true,
      }
      this.track(this.deliver(id, value.event, target, 0))
    }
    return recovered.length
  }

  /**
   * Validates PutEvents entries like EventBridge, publishes the valid ones, and answers per entry
   * once every resulting delivery is journaled (so an acknowledged event survives a kill -9).
   */
  async putEvents(
    entries: readonly PutEntry[],
  ): Promise<{ FailedEntryCount: number; Entries: PutResultEntry[] }> {
    let failed = 0
    const events: BusEvent[] = []
    const results = entries.map((entry): PutResultEntry => {
      const problem = entryProblem(entry)
      if (problem) {
        failed++
        return { ErrorCode: 'InvalidArgument', ErrorMessage: problem }
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType!,
        source: entry.Source!,
        account: LOCAL_ACCOUNT,
        time: eventTime(entry.Time),
        region: this.region,
        resources: entry.Resources ?? [],
        detail: JSON.parse(entry.Detail!),
      }
      events.push(event)
      return { EventId: event.id }
    })
    await this.publish(...events)
    return { FailedEntryCount: failed, Entries: results }
  }

  /**
   * Routes events to every matching subscription: journaled, then delivered asynchronously.
   * Resolves once the deliveries are journaled.
   */
  async publish(...events: BusEvent[]): Promise<void> {
    const accepted: { id: string; event: BusEvent; target: CompiledSubscription }[] = []
    for (const event of events) {
      this.seen.push(event)
      if (this.seen.length > (this.options.keepEvents ?? 1000)) this.seen.shift()
      const targets = this.subscriptions.filter((s) => safeTest(s, event))
      this.emit('published', { event, at: Date.now(), targets: targets.length })
      for (const target of targets) accepted.push({ id: randomUUID(), event, target })
    }
    await this.journal?.add(
      accepted.map(({ id, event, target }) => ({ id, value: { event, subscription: ref(target) } })),
    )
    for (const { id, event, target } of accepted) this.track(this.deliver(id, event, target, 0))
  }

  /** The most recent events, oldest first. */
  events(): BusEvent[] {
    return [...this.seen]
  }

  /** Dead letters, oldest first. */
  deadLetters(): DeadLetter[] {
    return [...this.dead]
  }

  /** Deliveries accepted and not yet finished (journaled ones included, also those left for the next start). */
  pending(): number {
    return this.journal ? this.journal.size : this.inFlight.size
  }

  /**
   * Delivers dead letters again (all, or those whose id is listed), each with a fresh set of tries.
   * Resolves once every redriven delivery has finished, with how many were redriven.
   */
  async redrive(ids?: readonly string[]): Promise<number> {
    const chosen = this.dead.filter((d) => !ids || ids.includes(d.id))
    const deliveries = chosen.map((d) => ({ id: randomUUID(), dead: d }))
    await this.journal?.add(
      deliveries.map(({ id, dead }) => ({
        id,
        value: { event: dead.event, subscription: dead.subscription },
      })),
    )
    this.dead = this.dead.filter((d) => !chosen.includes(d))
    await this.persist()
    const jobs = deliveries.map(({ id, dead }) => {
      const target = this.subscriptions.find((s) => key(s) === key(dead.subscription)) ?? {
        ...dead.subscription,
        test: () => true,
      }
      return this.track(this.deliver(id, dead.event, target, 0))
    })
    await Promise.all(jobs)
    return chosen.length
  }

  /** Resolves when no delivery is in flight (including retries scheduled meanwhile). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight])
  }

  /**
   * Stops the bus: waits up to `drainMs` for deliveries to finish (retries included), then stops
   * retrying. Whatever is unfinished then stays in the journal and is delivered on the next start;
   * nothing is dead-lettered because the process is going away. Resolves with how many were left.
   */
  async close(drainMs = 5000): Promise<number> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, drainMs)
    })
    await Promise.race([this.idle(), deadline])
    clearTimeout(timer)
    this.closed = true
    for (const wake of this.wakeOnClose) wake()
    // A try already running finishes (bounded by its function timeout) or is abandoned here: both
    // leave the delivery journaled, so it is delivered again after the restart.
    await Promise.race([this.idle(), new Promise((resolve) => setTimeout(resolve, 1000).unref())])
    const left = this.pending()
    await this.journal?.close()
    return left
  }

  private track(delivery: Promise<void>): Promise<void> {
    // A journal write that fails is logged, not thrown: the delivery itself happened or stays journaled.
    const job = delivery.catch((err: unknown) => this.options.log?.(`bus: ${(err as Error).message}`))
    this.inFlight.add(job)
    void job.finally(() => this.inFlight.delete(job))
    return job
  }

  private slot(): Promise<void> {
    if (this.running < (this.options.maxConcurrentDeliveries ?? 64)) {
      this.running++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Hands the slot to the next waiting try, or frees it. */
  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running--
  }

  /** Waits `ms`, or less when the bus closes; false when it closed. */
  private wait(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false)
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        this.wakeOnClose.delete(wake)
        resolve(!this.closed)
      }
      const timer = setTimeout(wake, ms)
      this.wakeOnClose.add(wake)
    })
  }

  private async deliver(
    id: string,
    event: BusEvent,
    target: SubscriptionRef,
    previousAttempts: number,
  ): Promise<void> {
    const delays = this.options.retryDelaysMs ?? [250, 1000, 4000]
    let attempts = previousAttempts
    let lastError: unknown
    // Asynchronous like EventBridge: never inside the PutEvents call.
    await Promise.resolve()
    for (let i = 0; i <= delays.length; i++) {
      if (i > 0 && !(await this.wait(delays[i - 1]!))) return
      await this.slot()
      if (this.closed) return this.release()
      attempts++
      try {
        await this.options.invoker
          .invoke(target.service, target.function, event, 'event')
          .finally(() => this.release())
        await this.journal?.done([id])
        this.emit('delivered', { event, subscription: ref(target), attempts, at: Date.now() })
        return
      } catch (err) {
        lastError = err
        this.options.log?.(
          `bus: ${target.service}/${target.name} failed on ${event['detail-type']} (try ${attempts}): ${(err as Error).message}`,
        )
      }
      // A failure while the process stops (its DynamoDB Local going away, say) is no verdict on the
      // event: it stays journaled for the next start instead of becoming a dead letter.
      if (this.closed) return
    }
    const deadLetter: DeadLetter = {
      id: randomUUID(),
      event,
      subscription: ref(target),
      error: lastError instanceof Error ? lastError.message : String(lastError),
      attempts,
      failedAt: new Date().toISOString(),
    }
    this.dead.push(deadLetter)
    await this.persist()
    await this.journal?.done([id])
    this.emit('dead-lettered', { deadLetter, at: Date.now() })
  }

  private persist(): Promise<void> {
    return this.deadFile ? writeJsonAtomic(this.deadFile, this.dead) : Promise.resolve()
  }
}

const key = (s: SubscriptionRef) => `${s.service}/${s.name}`

const ref = (s: SubscriptionRef): SubscriptionRef => ({
  service: s.service,
  name: s.name,
  function: s.function,
})

function safeTest(s: CompiledSubscription, event: BusEvent): boolean {
  try {
    return s.test(event)
  } catch {
    return false
  }
}

function entryProblem(entry: PutEntry): string | undefined {
  if (!entry.Source) return 'Parameter Source is not valid. Reason: Source is a required argument.'
  if (!entry.DetailType)
    return 'Parameter DetailType is not valid. Reason: DetailType is a required argument.'
  if (!entry.Detail) return 'Parameter Detail is not valid. Reason: Detail is a required argument.'
  try {
    const detail = JSON.parse(entry.Detail) as unknown
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return 'Detail is malformed. Reason: Detail must be a JSON object.'
    }
  } catch {
    return 'Detail is malformed.'
  }
  if (Buffer.byteLength(JSON.stringify(entry)) > 256 * 1024) return 'Entry size exceeds the 256 KB limit.'
  return undefined
}

function eventTime(time: number | string | undefined): string {
  const date =
    time === undefined
      ? new Date()
      : typeof time === 'number'
        ? new Date(time * 1000)
        : new Date(String(time))
  // EventBridge's `time` has second precision: 2024-01-01T00:00:00Z.
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/**
 * An HTTP endpoint speaking EventBridge's JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Op>`), so
 * `@aws-sdk/client-eventbridge` pointed at it works unchanged. Supports PutEvents and TestEventPattern.
 */
export function createEventsServer(bus: LocalBus): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': randomUUID(),
      })
      res.end(text)
    }
    const fail = (status: number, type: string, message: string) => send(status, { __type: type, message })
    readBody(req)
      .then((text) => {
        const target = String(req.headers['x-amz-target'] ?? '')
        let input: Record<string, unknown>
        try {
          input = text ? (JSON.parse(text) as Record<string, unknown>) : {}
        } catch {
          return fail(400, 'SerializationException', 'Request body is not valid JSON')
        }
        switch (target) {
          case 'AWSEvents.PutEvents': {
            const entries = input.Entries
            if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
              return fail(400, 'ValidationException', 'Entries must hold between 1 and 10 entries')
            }
            return bus.putEvents(entries as PutEntry[]).then((out) => send(200, out))
          }
          case 'AWSEvents.TestEventPattern': {
            try {
              const pattern = JSON.parse(String(input.EventPattern)) as unknown
              validatePattern(pattern)
              const event = JSON.parse(String(input.Event)) as unknown
              return send(200, { Result: compilePattern(pattern)(event) })
            } catch (err) {
              return fail(400, 'InvalidEventPatternException', (err as Error).message)
            }
          }
          default:
            return fail(
              400,
              'UnknownOperationException',
              `Operation ${target || '(none)'} is not supported locally`,
            )
        }
      })
      .catch((err: unknown) => fail(500, 'InternalException', (err as Error).message))
  })
}
