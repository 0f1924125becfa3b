/**
 * What a manifest must satisfy beyond its TypeScript type: every reference names something the
 * service declares, names are unique and usable inside AWS names, paths are well formed, event
 * patterns and schedule expressions are ones EventBridge accepts. The CDK app and the local runtime
 * both call {@link validateServices}, so a manifest one rejects the other rejects with the same message.
 *
 * Event patterns and schedule expressions are checked by functions passed in ({@link ManifestCheckers}):
 * their grammars are the local emulators' (event-ruler semantics tested against vectors real
 * EventBridge answered, and EventBridge's cron/rate grammar). Core cannot import the local runtime,
 * and copying a thousand-line matcher into the kernel of every Lambda would give two grammars to
 * keep equal; passing the checker keeps one.
 */
import type { QueueDef, RouteDef, ServiceManifest } from './manifest.js'
import {
  deadLetterQueueName,
  outboxFunctionKey,
  physicalQueueName,
  queuePublisherFunctionKey,
} from './names.js'

/** Grammar checks for the parts of a manifest whose spec is EventBridge's; each throws with the reason. */
export interface ManifestCheckers {
  /** Throws for an event pattern EventBridge would reject (e.g. `@relay/local/bus/pattern` `validatePattern`). */
  eventPattern(pattern: unknown): void
  /** Throws for a schedule expression EventBridge would reject (e.g. `@relay/local/scheduler` `parseSchedule`). */
  scheduleExpression(expression: string): void
}

/** A manifest mistake; the message names the service and the mistake. */
export class ManifestError extends Error {
  readonly service: string

  constructor(service: string, message: string) {
    super(`Service manifest ${service}: ${message}`)
    this.name = 'ManifestError'
    this.service = service
  }
}

/** Lower-case words joined by `-`: these names become parts of table, function, rule and queue names. */
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
/** API Gateway path variable: `{name}`, or `{name+}` (greedy) as the last segment. */
const PATH_PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/
/** Characters RFC 3986 allows in a path segment, without percent-encoding and without braces. */
const PATH_LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/

const SQS_MAX_VISIBILITY_SECONDS = 43_200
const SQS_MAX_BATCH = 10
const MAX_RECEIVE_COUNT = 1000
const MIN_CONCURRENCY = 2
const MAX_CONCURRENCY = 1000
/** Lambda's default when a manifest gives none (FunctionDef.timeoutSeconds): 10 s HTTP, 30 s events. */
const HTTP_TIMEOUT_SECONDS = 10
const EVENT_TIMEOUT_SECONDS = 30

/**
 * Validates every manifest and what must hold across them: no service registered twice, no route
 * (method and path shape) declared by two services.
 *
 * @throws ManifestError naming the service and the first mistake found.
 * @example validateServices(services.map((s) => s.manifest), { eventPattern: validatePattern, scheduleExpression: parseSchedule })
 */
export function validateServices(manifests: readonly ServiceManifest[], checkers: ManifestCheckers): void {
  const services = new Set<string>()
  const routes = new Map<string, { service: string; key: string }>()
  for (const m of manifests) {
    if (services.has(m.name)) throw new ManifestError(m.name, `service ${m.name} is registered twice`)
    services.add(m.name)
    validateManifest(m, checkers)
    for (const r of m.routes) {
      const key = `${r.method} ${r.path}`
      const owner = routes.get(routeShape(r))
      if (owner)
        throw new ManifestError(
          m.name,
          `route ${key} is declared by both ${owner.service} and ${m.name}${owner.key === key ? '' : ` (as ${owner.key})`}`,
        )
      routes.set(routeShape(r), { service: m.name, key })
    }
  }
}

/**
 * Validates one manifest.
 *
 * @throws ManifestError naming the service and the first mistake found.
 */
export function validateManifest(m: ServiceManifest, checkers: ManifestCheckers): void {
  const fail = (msg: string): never => {
    throw new ManifestError(m.name, msg)
  }
  if (!KEBAB.test(m.name)) fail(`service name "${m.name}" must be kebab-case`)
  const fnNames = new Set(Object.keys(m.functions))
  const queues = m.queues ?? {}
  const buckets = m.buckets ?? {}
  const needFunction = (what: string, fn: string) => {
    if (!fnNames.has(fn)) fail(`${what} names unknown function "${fn}"`)
  }

  for (const [name, def] of Object.entries(m.functions)) {
    if (!KEBAB.test(name)) fail(`function name "${name}" must be kebab-case`)
    for (const t of Object.keys(def.tables ?? {})) {
      if (!(t in m.tables))
        fail(`function "${name}" asks for table "${t}", which the service does not declare`)
    }
    for (const b of Object.keys(def.buckets ?? {})) {
      if (!(b in buckets))
        fail(`function "${name}" asks for bucket "${b}", which the service does not declare`)
    }
    for (const q of def.sendsTo ?? []) {
      if (!(q in queues)) fail(`function "${name}" sends to queue "${q}", which the service does not declare`)
    }
    // Messages travel as queue-outbox items of the function's writes; only an outbox table's stream sends them.
    const writesOutbox = Object.entries(m.tables).some(
      ([t, td]) => td.outbox && (def.tables ? def.tables[t] === 'write' : true),
    )
    if (def.sendsTo?.length && !writesOutbox)
      fail(`function "${name}" sends to queues but writes no outbox table, whose publisher would send them`)
    if (def.timeoutSeconds !== undefined && !(Number.isInteger(def.timeoutSeconds) && def.timeoutSeconds > 0))
      fail(`function "${name}" timeoutSeconds must be a positive whole number`)
  }
  for (const t of Object.keys(m.tables)) {
    if (fnNames.has(outboxFunctionKey(t)))
      fail(`function name "${outboxFunctionKey(t)}" is reserved for the outbox publisher`)
    if (fnNames.has(queuePublisherFunctionKey(t)))
      fail(`function name "${queuePublisherFunctionKey(t)}" is reserved for the queue publisher`)
  }

  const routeKeys = new Map<string, string>()
  for (const r of m.routes) {
    const key = `${r.method} ${r.path}`
    needFunction(`route ${key}`, r.function)
    checkPath(r, fail)
    const seen = routeKeys.get(routeShape(r))
    if (seen) fail(`route ${key} is declared twice${seen === key ? '' : ` (as ${seen})`}`)
    routeKeys.set(routeShape(r), key)
  }

  const ruleNames = new Set<string>()
  const ruleName = (kind: string, name: string) => {
    if (!KEBAB.test(name)) fail(`${kind} name "${name}" must be kebab-case`)
    // Subscriptions and schedules share one namespace: both become rules `crm-<stage>-<service>-<name>`.
    if (ruleNames.has(name)) fail(`subscription/schedule name "${name}" is used twice`)
    ruleNames.add(name)
  }
  for (const s of m.subscriptions) {
    ruleName('subscription', s.name)
    needFunction(`subscription "${s.name}"`, s.function)
    try {
      checkers.eventPattern(s.pattern)
    } catch (err) {
      fail(`subscription "${s.name}" has an invalid event pattern: ${(err as Error).message}`)
    }
  }
  for (const s of m.schedules) {
    ruleName('schedule', s.name)
    needFunction(`schedule "${s.name}"`, s.function)
    try {
      checkers.scheduleExpression(s.expression)
    } catch (err) {
      fail(`schedule "${s.name}": ${(err as Error).message}`)
    }
  }

  for (const [name, def] of Object.entries(buckets)) {
    // The logical name becomes part of a global bucket name: lower-case letters, digits and '-'.
    if (!KEBAB.test(name)) fail(`bucket name "${name}" must be kebab-case`)
    if (
      def.expireAfterDays !== undefined &&
      !(Number.isInteger(def.expireAfterDays) && def.expireAfterDays > 0)
    )
      fail(`bucket "${name}" expireAfterDays must be a positive whole number of days`)
  }
  const triggers = m.objectTriggers ?? []
  for (const [i, t] of triggers.entries()) {
    if (!KEBAB.test(t.name)) fail(`object trigger name "${t.name}" must be kebab-case`)
    if (!(t.bucket in buckets)) fail(`object trigger "${t.name}" names unknown bucket "${t.bucket}"`)
    needFunction(`object trigger "${t.name}"`, t.function)
    if (!t.prefix) fail(`object trigger "${t.name}" needs a prefix`)
    for (const other of triggers.slice(0, i)) {
      if (other.name === t.name) fail(`object trigger name "${t.name}" is used twice`)
      // S3 refuses overlapping prefixes for the same event type on one bucket.
      if (
        other.bucket === t.bucket &&
        (other.prefix.startsWith(t.prefix) || t.prefix.startsWith(other.prefix))
      )
        fail(`object triggers "${other.name}" and "${t.name}" overlap on bucket "${t.bucket}"`)
    }
  }

  const consumed = new Map<string, string>()
  for (const [name, def] of Object.entries(queues)) {
    if (!KEBAB.test(name)) fail(`queue name "${name}" must be kebab-case`)
    // `<queue>-dlq` is the dead-letter queue of `<queue>`: no other queue may take that name.
    const clash = Object.keys(queues).find(
      (other) => deadLetterQueueName('s', m.name, other) === physicalQueueName('s', m.name, name),
    )
    if (clash) fail(`queue name "${name}" is taken by the dead-letter queue of "${clash}"`)
    needFunction(`queue "${name}"`, def.consumer)
    const other = consumed.get(def.consumer)
    // A worker is built for one queue's message schema: a second queue's messages would fail it.
    if (other) fail(`function "${def.consumer}" consumes both queue "${other}" and queue "${name}"`)
    consumed.set(def.consumer, name)
    if (m.routes.some((r) => r.function === def.consumer))
      fail(`queue "${name}" consumer "${def.consumer}" also serves routes; a worker takes SQS batches only`)
    checkQueue(name, def, functionTimeoutSeconds(m, def.consumer), fail)
  }
}

/**
 * The timeout a function gets (FunctionDef.timeoutSeconds, else 10 s for a function that serves
 * routes or nothing, 30 s for one driven by events, schedules, objects or a queue).
 */
export function functionTimeoutSeconds(m: ServiceManifest, fn: string): number {
  const def = m.functions[fn]
  if (def?.timeoutSeconds) return def.timeoutSeconds
  if (m.routes.some((r) => r.function === fn)) return HTTP_TIMEOUT_SECONDS
  const driven =
    m.subscriptions.some((s) => s.function === fn) ||
    m.schedules.some((s) => s.function === fn) ||
    (m.objectTriggers ?? []).some((t) => t.function === fn) ||
    Object.values(m.queues ?? {}).some((q) => q.consumer === fn)
  return driven ? EVENT_TIMEOUT_SECONDS : HTTP_TIMEOUT_SECONDS
}

function checkQueue(name: string, q: QueueDef, timeout: number, fail: (msg: string) => never): void {
  const whole = (v: number | undefined, lo: number, hi: number) =>
    v === undefined || (Number.isInteger(v) && v >= lo && v <= hi)
  if (!whole(q.visibilityTimeoutSeconds, timeout, SQS_MAX_VISIBILITY_SECONDS))
    fail(
      `queue "${name}" visibilityTimeoutSeconds must be a whole number from the consumer's timeout (${timeout} s) to ${SQS_MAX_VISIBILITY_SECONDS}`,
    )
  if (q.visibilityTimeoutSeconds === undefined && 6 * timeout > SQS_MAX_VISIBILITY_SECONDS)
    fail(`queue "${name}" needs visibilityTimeoutSeconds: 6 × the consumer's timeout passes SQS's 12 hours`)
  if (!whole(q.maxReceiveCount, 1, MAX_RECEIVE_COUNT))
    fail(`queue "${name}" maxReceiveCount must be a whole number from 1 to ${MAX_RECEIVE_COUNT}`)
  if (!whole(q.batchSize, 1, SQS_MAX_BATCH))
    fail(`queue "${name}" batchSize must be a whole number from 1 to ${SQS_MAX_BATCH}`)
  if (!whole(q.maxConcurrency, MIN_CONCURRENCY, MAX_CONCURRENCY))
    fail(
      `queue "${name}" maxConcurrency must be a whole number from ${MIN_CONCURRENCY} to ${MAX_CONCURRENCY}`,
    )
}

/** `GET /contacts/{}`: two routes with the same shape would match the same requests. */
function routeShape(r: RouteDef): string {
  return `${r.method} ${r.path.replace(/\{[^}]*\}/g, '{}')}`
}

function checkPath(r: RouteDef, fail: (msg: string) => never): void {
  const where = `route ${r.method} ${r.path}`
  if (!r.path.startsWith('/')) fail(`${where}: the path must start with /`)
  if (r.path === '/') return
  if (r.path.endsWith('/')) fail(`${where}: the path must not end with /`)
  const segments = r.path.slice(1).split('/')
  const params: string[] = []
  for (const [i, segment] of segments.entries()) {
    if (segment === '') fail(`${where}: the path has an empty segment`)
    const param = PATH_PARAM.exec(segment)
    if (param) {
      if (param[2] && i !== segments.length - 1)
        fail(`${where}: the greedy parameter {${param[1]}+} must be the last segment`)
      if (params.includes(param[1]!)) fail(`${where}: path parameter {${param[1]}} appears twice`)
      params.push(param[1]!)
    } else if (!PATH_LITERAL.test(segment)) {
      fail(
        `${where}: segment "${segment}" must be a literal or a whole {parameter} (letters, digits, _; no partial segments)`,
      )
    }
  }
  const shape = (r.params as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def
    ?.shape
  if (shape) {
    const declared = Object.keys(shape).sort()
    if (declared.join() !== [...params].sort().join())
      fail(
        `${where}: params schema declares {${declared.join(', ')}} but the path has {${params.join(', ')}}`,
      )
  }
}
