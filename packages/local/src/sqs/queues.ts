/**
 * The queues and messages of the local SQS endpoint, as SQS keeps them: a message is delayed, then
 * visible, then in flight for its visibility timeout after each receive; a receive that would pass
 * the queue's `maxReceiveCount` moves it to the dead-letter queue instead; a move task sends
 * dead letters back. Standard queues only (no FIFO).
 *
 * Every queue is one JSON file under `<dataDir>/sqs/`, written before a change is answered
 * (changes made in the same tick share one write), so a restart keeps queued, in-flight and
 * dead-lettered messages alike, with their receive counts.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { readJson, writeJsonAtomic } from '../persist.js'

/** SQS's defaults and bounds of the queue attributes, in seconds and bytes. */
export const QUEUE_DEFAULTS = {
  VisibilityTimeout: 30,
  DelaySeconds: 0,
  MessageRetentionPeriod: 345_600,
  MaximumMessageSize: 262_144,
  ReceiveMessageWaitTimeSeconds: 0,
} as const
export const ATTRIBUTE_BOUNDS: Record<keyof typeof QUEUE_DEFAULTS, readonly [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  MessageRetentionPeriod: [60, 1_209_600],
  MaximumMessageSize: [1024, 1_048_576],
  ReceiveMessageWaitTimeSeconds: [0, 20],
}

/** A message attribute as the JSON protocol carries it (`BinaryValue` base64). */
export interface MessageAttribute {
  DataType: string
  StringValue?: string
  BinaryValue?: string
}

export interface StoredMessage {
  id: string
  body: string
  md5: string
  attributes?: Record<string, MessageAttribute>
  md5OfAttributes?: string
  sentAt: number
  /** Before it: delayed (never received) or in flight (received, `receipt` set). */
  visibleAt: number
  receiveCount: number
  firstReceivedAt?: number
  /** Token of the latest receive; only it deletes the message or changes its visibility. */
  receipt?: string
  /** On a dead-letter queue: the queue it came from (a move task's default destination). */
  deadLetteredFrom?: string
  deadLetteredAt?: number
}

interface StoredQueue {
  name: string
  createdAt: number
  modifiedAt: number
  /** The settable attributes, as SQS reports them (strings). */
  attributes: Record<string, string>
  messages: StoredMessage[]
}

export interface RedrivePolicy {
  deadLetterTargetArn: string
  maxReceiveCount: number
}

export interface MoveTask {
  TaskHandle: string
  Status: 'COMPLETED'
  SourceArn: string
  DestinationArn?: string
  ApproximateNumberOfMessagesMoved: number
  ApproximateNumberOfMessagesToMove: number
  StartedTimestamp: number
}

/** An SQS error: the exception name the SDK maps to its class (`QueueDoesNotExist`, ...). */
export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = code
  }
}

export const noQueue = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist for this wsdl version.')

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex')

/** MD5 of message attributes as SQS computes it (names sorted; each part length-prefixed). */
export function md5OfAttributes(attributes: Record<string, MessageAttribute>): string {
  const parts: Buffer[] = []
  const field = (data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    parts.push(len, data)
  }
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name]!
    field(Buffer.from(name, 'utf8'))
    field(Buffer.from(a.DataType, 'utf8'))
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]))
      field(Buffer.from(a.BinaryValue, 'base64'))
    } else {
      parts.push(Buffer.from([1]))
      field(Buffer.from(a.StringValue ?? '', 'utf8'))
    }
  }
  return md5(Buffer.concat(parts))
}

/** Receipt handles name their queue and message, so a stale or foreign one can be told apart. */
function receiptOf(queue: string, id: string, token: string): string {
  return Buffer.from(JSON.stringify([queue, id, token])).toString('base64url')
}

function parseReceipt(handle: string): { queue: string; id: string; token: string } {
  try {
    const [queue, id, token] = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8')) as unknown[]
    if (typeof queue === 'string' && typeof id === 'string' && typeof token === 'string')
      return { queue, id, token }
  } catch {}
  throw new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
  )
}

export interface ReceivedMessage {
  message: StoredMessage
  receiptHandle: string
}

export interface QueueCounts {
  visible: number
  inFlight: number
  delayed: number
}

export class QueueStore {
  private readonly queues = new Map<string, StoredQueue>()
  private readonly waiters = new Map<string, Set<() => void>>()
  private readonly dirty = new Set<string>()
  private flushing: Promise<void> | undefined
  private readonly tasks: MoveTask[] = []

  constructor(private readonly opts: { dir?: string; region: string; account: string; now?: () => number }) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now()
  }

  /** Reads every persisted queue. */
  async load(): Promise<void> {
    if (!this.opts.dir) return
    let files: string[] = []
    try {
      files = (await readdir(this.opts.dir)).filter((f) => f.endsWith('.json'))
    } catch {
      return
    }
    for (const file of files) {
      const q = await readJson<StoredQueue | undefined>(join(this.opts.dir, file), undefined)
      if (q?.name) this.queues.set(q.name, q)
    }
  }

  /** Resolves once every change so far is on disk. */
  private persist(...names: string[]): Promise<void> {
    for (const n of names) this.dirty.add(n)
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.flushing = undefined
      const names = [...this.dirty]
      this.dirty.clear()
      const dir = this.opts.dir
      if (!dir) return
      await Promise.all(
        names.map((n) => {
          const q = this.queues.get(n)
          return q ? writeJsonAtomic(join(dir, `${n}.json`), q) : Promise.resolve()
        }),
      )
    })
    return this.flushing
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.opts.region}:${this.opts.account}:${name}`
  }

  private nameOfArn(arn: string): string | undefined {
    const prefix = `arn:aws:sqs:${this.opts.region}:${this.opts.account}:`
    return arn.startsWith(prefix) ? arn.slice(prefix.length) : undefined
  }

  names(): string[] {
    return [...this.queues.keys()].sort()
  }

  has(name: string): boolean {
    return this.queues.has(name)
  }

  private get(name: string): StoredQueue {
    const q = this.queues.get(name)
    if (!q) throw noQueue()
    return q
  }

  private seconds(q: StoredQueue, key: keyof typeof QUEUE_DEFAULTS): number {
    const v = q.attributes[key]
    return v === undefined ? QUEUE_DEFAULTS[key] : Number(v)
  }

  redrivePolicy(name: string): RedrivePolicy | undefined {
    const raw = this.get(name).attributes.RedrivePolicy
    return raw ? (JSON.parse(raw) as RedrivePolicy) : undefined
  }

  /** Creates a queue, or checks that an existing one has the same attributes (as SQS does). */
  async create(name: string, attributes: Record<string, string>): Promise<void> {
    const existing = this.queues.get(name)
    if (existing) {
      for (const [k, v] of Object.entries(attributes)) {
        if ((existing.attributes[k] ?? String(QUEUE_DEFAULTS[k as keyof typeof QUEUE_DEFAULTS])) !== v)
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${k}`,
          )
      }
      return
    }
    const now = this.now()
    this.queues.set(name, {
      name,
      createdAt: now,
      modifiedAt: now,
      attributes: { ...attributes },
      messages: [],
    })
    await this.persist(name)
  }

  async setAttributes(name: string, attributes: Record<string, string>): Promise<void> {
    const q = this.get(name)
    Object.assign(q.attributes, attributes)
    for (const [k, v] of Object.entries(attributes)) if (v === '') delete q.attributes[k]
    q.modifiedAt = this.now()
    await this.persist(name)
  }

  async remove(name: string): Promise<void> {
    this.get(name)
    this.queues.delete(name)
    this.wake(name)
    await this.persist(name)
  }

  async purge(name: string): Promise<void> {
    this.get(name).messages = []
    await this.persist(name)
  }

  /** Drops messages past the queue's retention period (counted from when they were first sent). */
  private expire(q: StoredQueue, now: number): void {
    const limit = now - this.seconds(q, 'MessageRetentionPeriod') * 1000
    if (q.messages.some((m) => m.sentAt <= limit)) q.messages = q.messages.filter((m) => m.sentAt > limit)
  }

  counts(name: string): QueueCounts {
    const q = this.get(name)
    const now = this.now()
    this.expire(q, now)
    let visible = 0
    let inFlight = 0
    let delayed = 0
    for (const m of q.messages) {
      if (m.visibleAt <= now) visible++
      else if (m.receipt) inFlight++
      else delayed++
    }
    return { visible, inFlight, delayed }
  }

  /** The attributes GetQueueAttributes answers. */
  attributes(name: string): Record<string, string> {
    const q = this.get(name)
    const c = this.counts(name)
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(QUEUE_DEFAULTS)) out[k] = String(v)
    Object.assign(out, q.attributes, {
      QueueArn: this.arnOf(name),
      ApproximateNumberOfMessages: String(c.visible),
      ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
      ApproximateNumberOfMessagesDelayed: String(c.delayed),
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedAt / 1000)),
    })
    return out
  }

  maxMessageBytes(name: string): number {
    return this.seconds(this.get(name), 'MaximumMessageSize')
  }

  /** Adds messages (all or none: the caller validated them). */
  async send(
    name: string,
    entries: readonly {
      body: string
      delaySeconds?: number
      attributes?: Record<string, MessageAttribute>
    }[],
  ): Promise<StoredMessage[]> {
    const q = this.get(name)
    const now = this.now()
    const added = entries.map((e): StoredMessage => {
      const attrs = e.attributes && Object.keys(e.attributes).length ? e.attributes : undefined
      return {
        id: randomUUID(),
        body: e.body,
        md5: md5(e.body),
        ...(attrs ? { attributes: attrs, md5OfAttributes: md5OfAttributes(attrs) } : {}),
        sentAt: now,
        visibleAt: now + (e.delaySeconds ?? this.seconds(q, 'DelaySeconds')) * 1000,
        receiveCount: 0,
      }
    })
    q.messages.push(...added)
    await this.persist(name)
    this.wake(name)
    return added
  }

  private wake(name: string): void {
    for (const w of this.waiters.get(name) ?? []) w()
  }

  /**
   * Receives up to `max` visible messages, each then invisible for `visibilityTimeout` seconds
   * (default: the queue's). A message already received `maxReceiveCount` times goes to the
   * dead-letter queue instead. Long-polls up to `waitSeconds` (default: the queue's) when none is
   * visible; `signal` ends the wait early.
   */
  async receive(
    name: string,
    opts: { max?: number; visibilityTimeout?: number; waitSeconds?: number; signal?: AbortSignal } = {},
  ): Promise<ReceivedMessage[]> {
    const q0 = this.get(name)
    const waitMs = (opts.waitSeconds ?? this.seconds(q0, 'ReceiveMessageWaitTimeSeconds')) * 1000
    const deadline = this.now() + waitMs
    for (;;) {
      const got = await this.receiveNow(name, opts.max ?? 1, opts.visibilityTimeout)
      const left = deadline - this.now()
      if (got.length || left <= 0 || opts.signal?.aborted || !this.queues.has(name)) return got
      await this.waitForChange(name, left, opts.signal)
    }
  }

  /** Resolves on a send to the queue, when its next message turns visible, or after `ms`. */
  private waitForChange(name: string, ms: number, signal?: AbortSignal): Promise<void> {
    const q = this.queues.get(name)
    const now = this.now()
    const next = Math.min(...(q?.messages.map((m) => m.visibleAt).filter((t) => t > now) ?? []))
    const wait = Math.max(1, Math.min(ms, Number.isFinite(next) ? next - now : ms))
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(name) ?? new Set()
      this.waiters.set(name, set)
      const done = () => {
        clearTimeout(timer)
        set.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, wait)
      set.add(done)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  private async receiveNow(
    name: string,
    max: number,
    visibilityTimeout?: number,
  ): Promise<ReceivedMessage[]> {
    const q = this.get(name)
    const now = this.now()
    this.expire(q, now)
    const policy = this.redrivePolicy(name)
    const dlqName = policy ? this.nameOfArn(policy.deadLetterTargetArn) : undefined
    const dlq = dlqName ? this.queues.get(dlqName) : undefined
    const vt = (visibilityTimeout ?? this.seconds(q, 'VisibilityTimeout')) * 1000
    const got: ReceivedMessage[] = []
    const moved: StoredMessage[] = []
    for (const m of q.messages) {
      if (got.length >= max) break
      if (m.visibleAt > now) continue
      if (policy && dlq && m.receiveCount >= policy.maxReceiveCount) {
        moved.push(m)
        continue
      }
      const token = randomBytes(9).toString('base64url')
      m.receiveCount++
      m.firstReceivedAt ??= now
      m.receipt = token
      m.visibleAt = now + vt
      got.push({ message: m, receiptHandle: receiptOf(name, m.id, token) })
    }
    if (moved.length && dlq && dlqName) {
      q.messages = q.messages.filter((m) => !moved.includes(m))
      for (const m of moved) {
        delete m.receipt
        dlq.messages.push({ ...m, visibleAt: now, deadLetteredFrom: name, deadLetteredAt: now })
      }
      this.wake(dlqName)
    }
    if (got.length || moved.length) await this.persist(name, ...(moved.length && dlqName ? [dlqName] : []))
    return got
  }

  /** The message a receipt handle names, if that receive is still the latest one. */
  private byReceipt(name: string, handle: string): StoredMessage | undefined {
    const r = parseReceipt(handle)
    if (r.queue !== name)
      throw new SqsError('ReceiptHandleIsInvalid', `The receipt handle "${handle}" is not of this queue.`)
    const m = this.get(name).messages.find((x) => x.id === r.id)
    return m && m.receipt === r.token ? m : undefined
  }

  /** Deletes a received message; a handle of an earlier receive, or of a message gone, is a no-op (as in SQS). */
  async delete(name: string, handles: readonly string[]): Promise<void> {
    const q = this.get(name)
    const gone = new Set(handles.map((h) => this.byReceipt(name, h)).filter((m) => m !== undefined))
    if (!gone.size) return
    q.messages = q.messages.filter((m) => !gone.has(m))
    await this.persist(name)
  }

  /** Checks a receipt handle without changing anything (batch calls answer per entry). */
  checkReceipt(name: string, handle: string): void {
    this.byReceipt(name, handle)
  }

  async changeVisibility(name: string, handle: string, timeoutSeconds: number): Promise<void> {
    const m = this.byReceipt(name, handle)
    const now = this.now()
    if (!m || m.visibleAt <= now)
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.')
    m.visibleAt = now + timeoutSeconds * 1000
    await this.persist(name)
    if (timeoutSeconds === 0) this.wake(name)
  }

  /** Queues whose redrive policy names `name` as their dead-letter queue. */
  sourcesOf(name: string): string[] {
    const arn = this.arnOf(this.get(name).name)
    return this.names().filter((n) => this.redrivePolicy(n)?.deadLetterTargetArn === arn)
  }

  /** The messages of a queue as they are, without receiving them (the local dead-letter list). */
  peek(name: string): StoredMessage[] {
    const q = this.get(name)
    this.expire(q, this.now())
    return q.messages.map((m) => ({ ...m }))
  }

  /**
   * Moves messages of dead-letter queue `from` (all, or those of `ids`) back to `to`, or to the
   * queue each came from: visible at once, receive count from zero. Answers how many moved.
   */
  async redrive(from: string, opts: { ids?: readonly string[]; to?: string } = {}): Promise<number> {
    const dlq = this.get(from)
    if (opts.to) this.get(opts.to)
    const now = this.now()
    const wanted = opts.ids ? new Set(opts.ids) : undefined
    const moving = dlq.messages.filter((m) => !wanted || wanted.has(m.id))
    const touched = new Set<string>([from])
    const kept: StoredMessage[] = []
    for (const m of moving) {
      const target = opts.to ?? m.deadLetteredFrom
      const q = target ? this.queues.get(target) : undefined
      if (!q || !target) {
        kept.push(m)
        continue
      }
      const { deadLetteredFrom: _f, deadLetteredAt: _a, receipt: _r, firstReceivedAt: _fr, ...rest } = m
      q.messages.push({ ...rest, visibleAt: now, receiveCount: 0 })
      touched.add(target)
    }
    const movedIds = new Set(moving.filter((m) => !kept.includes(m)).map((m) => m.id))
    dlq.messages = dlq.messages.filter((m) => !movedIds.has(m.id))
    await this.persist(...touched)
    for (const t of touched) this.wake(t)
    return movedIds.size
  }

  /** StartMessageMoveTask: a redrive run at once (no rate limit locally). */
  async startMoveTask(sourceArn: string, destinationArn?: string): Promise<MoveTask> {
    const from = this.nameOfArn(sourceArn)
    if (!from || !this.queues.has(from))
      throw new SqsError(
        'ResourceNotFoundException',
        `The resource that you specified for the SourceArn parameter doesn't exist.`,
      )
    if (!this.sourcesOf(from).length && !destinationArn)
      throw new SqsError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.')
    const to = destinationArn ? this.nameOfArn(destinationArn) : undefined
    if (destinationArn && (!to || !this.queues.has(to)))
      throw new SqsError(
        'ResourceNotFoundException',
        `The resource that you specified for the DestinationArn parameter doesn't exist.`,
      )
    const toMove = this.get(from).messages.length
    const started = this.now()
    const moved = await this.redrive(from, to ? { to } : {})
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ id: randomUUID(), sourceArn })).toString('base64url'),
      Status: 'COMPLETED',
      SourceArn: sourceArn,
      ...(destinationArn ? { DestinationArn: destinationArn } : {}),
      ApproximateNumberOfMessagesMoved: moved,
      ApproximateNumberOfMessagesToMove: toMove,
      StartedTimestamp: started,
    }
    this.tasks.push(task)
    return task
  }

  moveTasks(sourceArn: string): MoveTask[] {
    return this.tasks.filter((t) => t.SourceArn === sourceArn).reverse()
  }

  /** Ends every long poll (shutdown) and waits for pending writes. */
  async close(): Promise<void> {
    for (const name of this.waiters.keys()) this.wake(name)
    await this.flushing
  }
}
