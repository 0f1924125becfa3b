/**
 * The service manifest: the one description of a service that both the CDK app (`infra/`) and the
 * local runtime (`packages/local`) read. Adding a route, table, subscription or schedule here is
 * all it takes for both worlds to get it.
 *
 * Manifests are plain data plus zod schemas (for OpenAPI); they must never import handler code,
 * so that reading one stays cheap for the CDK app and the local runtime.
 */
import type { ZodMiniType } from 'zod/mini'

/** Roles come from Cognito groups in the cloud and from dev tokens locally. */
export const ROLES = ['admin', 'manager', 'sales', 'support', 'marketing', 'viewer'] as const
export type Role = (typeof ROLES)[number]

/** Common role sets, shared by manifests and handlers so both name the same list. */
export const ANY_ROLE: readonly Role[] = ROLES
export const WRITERS: readonly Role[] = ['admin', 'manager', 'sales', 'support', 'marketing']
export const MANAGERS: readonly Role[] = ['admin', 'manager']
export const ADMINS: readonly Role[] = ['admin']

export type KeyType = 'S' | 'N'

export interface IndexDef {
  /** Index name, e.g. `gsi1`. */
  name: string
  partitionKey: string
  sortKey?: string
}

export interface TableDef {
  /** Partition key attribute (always a string `T#<tenantId>#...`). */
  partitionKey: string
  sortKey?: string
  gsis?: readonly IndexDef[]
  /** Attribute holding an epoch-seconds expiry, if items expire. */
  ttl?: string
  /**
   * Whether the table's stream feeds the shared outbox publishers (`@relay/core/outbox-publisher` for
   * events, `@relay/core/queue-publisher` for work messages when the service has queues).
   * Every table a handler writes outbox items to must set this.
   */
  outbox?: boolean
}

export interface FunctionDef {
  /** Entry file relative to `services/<service>/src`, e.g. `handlers/create-contact.ts`; exports `handler`. */
  entry: string
  /** Default 256. */
  memoryMb?: number
  /** Default 10 for HTTP, 30 for events and schedules. */
  timeoutSeconds?: number
  /** Tables of this service the function may touch, with the access it needs. */
  tables?: Readonly<Record<string, 'read' | 'write'>>
  /** Whether the function publishes straight to the bus (most publish through the outbox instead). */
  publishes?: boolean
  /** Whether the function sends email through SES. */
  sendsEmail?: boolean
  /**
   * Whether the function signs or verifies links (`@relay/core/signed-link`: survey, tracking and
   * unsubscribe links in mail): it is granted the stage's link-signing secret.
   */
  signsLinks?: boolean
  /**
   * Buckets of this service the function may touch: `read` (GetObject, HeadObject, presigned GETs),
   * `write` (PutObject, multipart uploads, DeleteObject, presigned PUTs) or `readwrite`. No `buckets`
   * means none: unlike tables, object access is granted only where a manifest asks for it.
   */
  buckets?: Readonly<Record<string, BucketAccess>>
  /**
   * Work queues of this service the function may enqueue to (keys of `queues`): its writes carry
   * queue-outbox items (`queueOutboxPut`), so it needs write access to an outbox table, whose
   * queue publisher is granted these queues (the function itself gets no SQS access).
   */
  sendsTo?: readonly string[]
}

/**
 * An internal work queue (SQS in the cloud, the local SQS endpoint locally): fan-out that is not a
 * business event (import chunks, campaign send batches, SLA timers). The bus carries business
 * events only, because integrators read its catalogue.
 */
export interface QueueDef {
  /** Key of `functions`: the function that consumes the queue (SQS event source, partial batch failures). */
  consumer: string
  /** How long a received message stays invisible; at least the consumer's timeout. Default 6 × its timeout (AWS's advice for Lambda event sources). */
  visibilityTimeoutSeconds?: number
  /** Receives before a message moves to the dead-letter queue. Default 5. */
  maxReceiveCount?: number
  /** Messages per invocation. Default 10 (the SQS maximum for one ReceiveMessage). */
  batchSize?: number
  /** Upper bound of concurrent consumer invocations (SQS event source `maximumConcurrency`, 2 to 1000). */
  maxConcurrency?: number
  /** One line for the docs. */
  description?: string
}

export type BucketAccess = 'read' | 'write' | 'readwrite'

export interface BucketDef {
  /**
   * Objects are deleted this many days after they were written (an S3 lifecycle rule; S3 runs it
   * once a day, so an object may outlive this by a day). Omit to keep objects.
   */
  expireAfterDays?: number
}

/**
 * An object created under `prefix` in `bucket` invokes `function` with an S3 event notification
 * (`Records[0].s3.bucket.name`, `.object.key` URL-encoded, `.object.size`), asynchronously and at
 * least once, like S3 → Lambda.
 */
export interface ObjectTriggerDef {
  /** Unique within the service. */
  name: string
  /** Key of `buckets`. */
  bucket: string
  /** Key prefix, e.g. `imports/`; prefixes of one bucket's triggers must not overlap (S3 refuses it). */
  prefix: string
  /** Key of `functions`. */
  function: string
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RouteDef {
  method: HttpMethod
  /** API Gateway HTTP API path, e.g. `/contacts/{id}`. */
  path: string
  /** Key of `functions`. */
  function: string
  /** Roles allowed, or `public` for routes that need no token. */
  roles: readonly Role[] | 'public'
  /** One line for the OpenAPI document. */
  summary: string
  /** Request body schema (OpenAPI). */
  body?: ZodMiniType
  /** Query string schema (OpenAPI). */
  query?: ZodMiniType
  /**
   * A valid request body. It becomes the OpenAPI example, and the manifest-driven tests use it to
   * create the records that the routes below this path act on.
   */
  example?: unknown
  /**
   * Success response schema and status (OpenAPI). `alternatives`: other media types the route
   * answers with when `Accept` asks for them (content negotiation; the handler returns `raw`), each
   * with a line for the OpenAPI document, e.g. `{ 'text/csv': 'One row per period' }`.
   */
  response?: { status: number; schema?: ZodMiniType; alternatives?: Readonly<Record<string, string>> }
  /** Path parameters schema; default: every `{name}` of `path` as a non-empty string. */
  params?: ZodMiniType
  /** Request headers the route reads beyond the standard ones (OpenAPI), e.g. `{ 'x-form-key': { required: true, description } }`. */
  headers?: Readonly<Record<string, { required?: boolean; description: string }>>
  /** Error statuses the route answers beyond those every route shares (OpenAPI), e.g. `{ 429: 'Too many submissions' }`. */
  errors?: Readonly<Record<number, string>>
  /**
   * Body field that names the record's owner (e.g. `ownerId`). Core enforces the ownership rule on
   * it: on create a caller without `manager`/`admin` may name only themselves; on update only
   * `manager`/`admin` may set it.
   */
  ownerField?: string
  /** Default 65 536 → 413 when exceeded. */
  maxBodyBytes?: number
}

/**
 * What a subscription or consumer needs of an event contract (`@relay/contracts` `EventContract`
 * has this shape; core cannot import contracts, which depend on it).
 */
export interface EventRef<D = unknown> {
  source: string
  detailType: string
  version: number
  data: ZodMiniType<D>
}

/**
 * An EventBridge event pattern, checked by the local runtime's matcher when a manifest is loaded
 * and copied verbatim into the CDK rule.
 */
export type EventPattern = Record<string, unknown>

export interface SubscriptionDef {
  /** Rule name suffix, unique within the service. */
  name: string
  /** The EventBridge pattern; built by {@link subscription} from `events` when those are given. */
  pattern: EventPattern
  /** The contracts of the events this subscription receives (typed `data` for its handler). */
  events?: readonly EventRef[]
  /** Key of `functions`. */
  function: string
}

export interface ScheduleDef {
  /** Unique within the service. */
  name: string
  /** EventBridge Scheduler / rule expression: `rate(5 minutes)` or `cron(0 8 * * ? *)`. */
  expression: string
  /** Key of `functions`. */
  function: string
}

export interface PublishedEventDef {
  /** `<Entity>.<PastTense>`, e.g. `Contact.Created`. */
  detailType: string
  /** Schema of `detail.data` (JSON Schema for integrators is generated from it). */
  schema?: ZodMiniType
  version?: number
  description?: string
}

export interface ServiceManifest {
  /** Folder name under `services/`, kebab-case, e.g. `service-desk`. */
  name: string
  /** `crm.<name>`: the EventBridge source of everything this service publishes. */
  source: string
  /** Logical table name (e.g. `main`) → definition. */
  tables: Readonly<Record<string, TableDef>>
  /** Function name (kebab-case, unique within the service) → definition. */
  functions: Readonly<Record<string, FunctionDef>>
  routes: readonly RouteDef[]
  subscriptions: readonly SubscriptionDef[]
  schedules: readonly ScheduleDef[]
  publishes: readonly PublishedEventDef[]
  /** Logical bucket name (e.g. `files`) → definition. */
  buckets?: Readonly<Record<string, BucketDef>>
  /** S3 object-created triggers on this service's buckets. */
  objectTriggers?: readonly ObjectTriggerDef[]
  /** Logical queue name (e.g. `import-chunks`) → definition. */
  queues?: Readonly<Record<string, QueueDef>>
}

/** Identity helper that keeps literal types and checks the shape. */
export function defineService<const M extends ServiceManifest>(manifest: M): M {
  return manifest
}

// Names live in names.ts; re-exported so that manifests and handlers keep importing them from here.
export { bucketEnvVar, physicalBucketName, physicalTableName, queueEnvVar, tableEnvVar } from './names.js'

/** Environment variable names shared by every function. */
export const ENV = {
  stage: 'STAGE',
  eventBusName: 'EVENT_BUS_NAME',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  eventsEndpoint: 'EVENTS_ENDPOINT',
  sesEndpoint: 'SES_ENDPOINT',
  s3Endpoint: 'S3_ENDPOINT',
  sqsEndpoint: 'SQS_ENDPOINT',
  mailFrom: 'MAIL_FROM',
  /** SES configuration set whose event destination puts delivery/bounce/complaint events on the bus. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Locally: the HMAC key of signed links. In the cloud the key is a secret, named by `linkSecretArn`. */
  linkSigningSecret: 'LINK_SIGNING_SECRET',
  linkSecretArn: 'LINK_SECRET_ARN',
  /** The API's public URL: links in mail (ratings, tracking, unsubscribe) point there. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const

/**
 * Declares a route once: the manifest lists it (API Gateway, OpenAPI, docs) and its handler is
 * built from it (`http(route, handle)`: roles, body, query and params schemas come from here).
 *
 * @example
 * export const createContact = route({ method: 'POST', path: '/contacts', function: 'create-contact',
 *   roles: WRITERS, summary: 'Create a contact', body: CreateContact, response: { status: 201, schema: Contact } })
 */
/* @__NO_SIDE_EFFECTS__ */
export function route<const R extends RouteDef>(def: R): R {
  return def
}

/** The EventBridge pattern that matches exactly the given contracts (one `$or` branch per source). */
export function patternOf(events: readonly EventRef[]): EventPattern {
  const bySource = new Map<string, string[]>()
  for (const e of events) {
    const list = bySource.get(e.source) ?? []
    if (!list.includes(e.detailType)) list.push(e.detailType)
    bySource.set(e.source, list)
  }
  const branches = [...bySource].map(([source, types]) => ({ source: [source], 'detail-type': types }))
  if (branches.length === 0) throw new Error('A subscription needs at least one event')
  return branches.length === 1 ? (branches[0] as EventPattern) : { $or: branches }
}

/**
 * Declares a subscription once, by the contracts it receives: the manifest lists it (a rule with
 * the pattern built from the contracts) and its handler is built from it
 * (`subscriber(subscription, handle)`, with `data` typed and validated by the contracts).
 *
 * @example
 * export const onLeadConverted = subscription({ name: 'on-lead-converted', function: 'on-lead-converted', events: [LeadConverted] })
 */
/* @__NO_SIDE_EFFECTS__ */
export function subscription<const E extends readonly EventRef[]>(def: {
  name: string
  function: string
  events: E
}): SubscriptionDef & { events: E } {
  return { ...def, pattern: patternOf(def.events) }
}

/** The `data` type of the events a subscription receives. */
export type DataOf<S> = S extends { events: readonly (infer E)[] }
  ? E extends EventRef<infer D>
    ? D
    : never
  : unknown
