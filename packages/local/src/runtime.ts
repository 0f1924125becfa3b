/**
 * The local runtime (DESIGN.md §5): DynamoDB Local + every manifest table, the stream → outbox
 * publisher mapping, an EventBridge-compatible bus, an SES-compatible mailbox, an S3-compatible
 * endpoint with every manifest bucket and object trigger, the scheduler and the API gateway, all in
 * one Node process, with data under one folder.
 *
 * Adding a local endpoint (an AWS-compatible server the handlers reach through an env var): start it
 * beside the SES and S3 servers below, register its stop under `phases.endpoints` and, if it invokes
 * functions, its drain under `phases.drain`; its env var goes into the handlers' world and its
 * `/_local/` routes into `localRoutes`.
 */
import { once } from 'node:events'
import { mkdir, readdir, rm } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb'
import { bucketEnvVar, physicalBucketName, physicalTableName, tableEnvVar } from '@relay/core/manifest'
import { validateServices } from '@relay/core/manifest-validation'
import { sesConfigurationSetName, busName as stageBusName } from '@relay/core/names'
import { validatePattern } from './bus/pattern.js'
import { createEventsServer, LocalBus } from './bus.js'
import { loadDemo } from './demo.js'
import {
  createTables,
  type DynamoDbLocal,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  localDynamoDbClient,
  startDynamoDbLocal,
} from './dynamodb.js'
import { createGateway } from './gateway.js'
import { createInvoker, type LocalService } from './invoke.js'
import { coreLocalRoutes, type LocalRoute, localRouter } from './local-routes.js'
import { defaultDataDir } from './paths.js'
import { createS3Server, ObjectStore, type ObjectTriggerRef, ObjectTriggers } from './s3/index.js'
import { parseSchedule, Scheduler } from './scheduler.js'
import { createSesServer, Mailbox } from './ses.js'
import { type LocalQueues, startQueues } from './sqs/index.js'
import { outboxKindFilter, type StreamHandler, StreamPoller, type StreamPollerOptions } from './streams.js'
import { linkSecret, mintDevToken, verifyDevToken } from './tokens.js'

export interface StartLocalOptions {
  /** Gateway port; 0 = any free port. Default: env PORT or 3000. */
  port?: number
  /** Default 'local'. */
  stage?: string
  /** Default `<repo>/.relay`. */
  dataDir?: string
  /** Reuse a running DynamoDB Local instead of starting one. */
  dynamodbEndpoint?: string
  /** Start DynamoDB Local in memory (nothing kept on disk). */
  inMemory?: boolean
  /** Load demo data through the gateway once started. */
  demo?: boolean
  /** Start empty: wipes the data folder (and this stage's tables on a reused DynamoDB). */
  reset?: boolean
  /** No request or delivery logs. */
  quiet?: boolean
  /** Services to run (the registry, e.g. `services/index.ts`, handed in by the caller). */
  services: readonly LocalService[]
  /** Arm schedule timers (default true); triggering by hand works either way. */
  schedules?: boolean
  /** Waits before each bus delivery retry (tries = length + 1); default [250, 1000, 4000] ms. */
  retryDelaysMs?: readonly number[]
  /** Bus delivery tries running at once (default 64, see `LocalBusOptions`). */
  maxConcurrentDeliveries?: number
  /**
   * What receives every outbox table's stream batches, unfiltered, instead of the two publishers
   * (default: `@relay/core/outbox-publisher`'s handler for `kind = outbox` records of every outbox
   * table and `@relay/core/queue-publisher`'s for `kind = queue` records of the tables of services
   * with queues, as in AWS).
   */
  streamHandler?: StreamHandler
  /** Base URL of links in mail (ratings, tracking, unsubscribe); default env RELAY_PUBLIC_BASE_URL, else the gateway's URL. */
  publicBaseUrl?: string
  /** Where log lines go (default console.log). */
  log?(line: string): void
  /** How long `stop()` lets requests in flight finish (default 5 s). */
  requestDrainMs?: number
  /** How long `stop()` lets the bus deliver what it accepted (default 5 s); the rest is delivered on the next start. */
  busDrainMs?: number
}

export interface LocalRuntime {
  /** Base URL of the gateway, e.g. `http://127.0.0.1:3000`. */
  url: string
  stage: string
  dataDir: string
  dynamodbEndpoint: string
  eventsEndpoint: string
  sesEndpoint: string
  /** The S3 endpoint (path-style); presigned URLs handed to clients point here. */
  s3Endpoint: string
  /** The SQS endpoint; every manifest queue and its dead-letter queue live there, under `<dataDir>/sqs`. */
  sqsEndpoint: string
  services: readonly LocalService[]
  /** Emits 'published', 'delivered', 'dead-lettered'; `deadLetters()`, `redrive()`, `events()`, `idle()`. */
  bus: LocalBus
  /** The mailbox (mail sent through SES): `list()`, `get(id)`, event 'sent'. */
  mail: Mailbox
  scheduler: Scheduler
  /** Objects of every manifest bucket (`keys(bucket)`, `head(bucket, key)`), under `<dataDir>/s3`. */
  objects: ObjectStore
  /** S3 → function invocations: events 'invoked' and 'failed', `idle()`. */
  objectTriggers: ObjectTriggers
  /** The work queues: `list()`, `deadLetters(service, queue)`, `redrive(...)`, `idle()`; consumers' events 'invoked' and 'failed'. */
  queues: LocalQueues
  /** A dev token for a tenant and roles (user defaults to `u-<tenant>`). */
  token(tenant: string, roles: readonly string[], user?: string): Promise<string>
  /** Runs a schedule now; resolves with the function's result. */
  triggerSchedule(service: string, name: string): Promise<unknown>
  /**
   * Stops everything this runtime started, in order: no new requests (those in flight finish), no
   * new schedule runs or stream batches, the bus drained within a bound (what is left is journaled
   * for the next start, never dead-lettered), then the endpoints, then DynamoDB Local.
   */
  stop(): Promise<void>
}

async function loadPublisher(
  spec: '@relay/core/outbox-publisher' | '@relay/core/queue-publisher',
  log: (line: string) => void,
): Promise<StreamHandler | undefined> {
  const what = spec === '@relay/core/outbox-publisher' ? 'outbox events' : 'work messages'
  try {
    const mod = (await import(spec)) as { handler?: StreamHandler }
    if (typeof mod.handler === 'function') return mod.handler
    log(`warning: ${spec} exports no handler; ${what} will not be published`)
  } catch (err) {
    log(`warning: cannot load ${spec} (${(err as Error).message}); ${what} will not be published`)
  }
  return undefined
}

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, '127.0.0.1')
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err))])
  return (server.address() as AddressInfo).port
}

/**
 * Stops accepting connections, lets requests in flight finish for up to `graceMs`, then cuts what is
 * left (a keep-alive connection, a stuck upload).
 */
async function close(server: Server, graceMs = 0): Promise<void> {
  if (!server.listening) return
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  let timer: NodeJS.Timeout | undefined
  if (graceMs > 0) await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, graceMs)))])
  clearTimeout(timer)
  server.closeAllConnections()
  await closed
}

/** Shutdown phases, run in this order; within a phase, the latest registered stops first. */
interface Phases {
  intake: (() => Promise<unknown> | unknown)[]
  sources: (() => Promise<unknown> | unknown)[]
  drain: (() => Promise<unknown> | unknown)[]
  endpoints: (() => Promise<unknown> | unknown)[]
  storage: (() => Promise<unknown> | unknown)[]
}

/** Empties the data folder but keeps the dev-token secret, so tokens already handed out still work. */
async function resetDataDir(dataDir: string): Promise<void> {
  let entries: string[] = []
  try {
    entries = await readdir(dataDir)
  } catch {
    return
  }
  await Promise.all(
    entries
      .filter((e) => e !== 'dev-secret')
      .map((e) => rm(join(dataDir, e), { recursive: true, force: true })),
  )
}

/**
 * Starts the whole local runtime.
 *
 * @example
 * const rt = await startLocal({ port: 0, stage: 'test', dataDir, dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT, quiet: true })
 * const token = await rt.token('acme', ['admin'])
 * await fetch(`${rt.url}/contacts`, { headers: { authorization: `Bearer ${token}` } })
 * await rt.stop()
 */
export async function startLocal(options: StartLocalOptions): Promise<LocalRuntime> {
  const stage = options.stage ?? 'local'
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(stage))
    throw new Error(`Invalid stage "${stage}" (lower-case letters, digits, -)`)
  const dataDir = options.dataDir ?? defaultDataDir
  const rawLog = options.log ?? ((line: string) => console.log(line))
  const log = options.quiet ? () => {} : rawLog
  const warn = rawLog
  const { services } = options
  // The CDK app's checks (@relay/core/manifest-validation), so both reject the same manifests alike.
  validateServices(
    services.map((s) => s.manifest),
    { eventPattern: validatePattern, scheduleExpression: parseSchedule },
  )

  if (options.reset) await resetDataDir(dataDir)
  await mkdir(dataDir, { recursive: true })

  // Manifests are checked before anything starts: a bad pattern or schedule fails right here.
  const invoker = createInvoker(stage, services)
  const { buckets, triggers } = localBuckets(stage, services)
  const bus = new LocalBus({
    services,
    invoker,
    dataDir,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
    ...(options.maxConcurrentDeliveries ? { maxConcurrentDeliveries: options.maxConcurrentDeliveries } : {}),
    log,
  })
  const busName = stageBusName(stage)
  const scheduler = new Scheduler({ stage, services, invoker, log })
  await bus.load()
  const mail = new Mailbox(dataDir)

  const phases: Phases = { intake: [], sources: [], drain: [], endpoints: [], storage: [] }
  let stopping: Promise<void> | undefined
  const stopInOrder = async () => {
    for (const phase of ['intake', 'sources', 'drain', 'endpoints', 'storage'] as const) {
      for (const cleanup of phases[phase].splice(0).reverse()) {
        try {
          await cleanup()
        } catch (err) {
          warn(`stop (${phase}): ${(err as Error).message}`)
        }
      }
    }
  }
  const stop = () => {
    stopping ??= stopInOrder()
    return stopping
  }

  try {
    let ddb: DynamoDbLocal | undefined
    let dynamodbEndpoint = options.dynamodbEndpoint
    if (!dynamodbEndpoint) {
      ddb = await startDynamoDbLocal({
        inMemory: options.inMemory ?? false,
        dbPath: join(dataDir, 'dynamodb'),
      })
      dynamodbEndpoint = ddb.endpoint
      phases.storage.push(() => ddb?.stop())
    } else if (options.reset) {
      const client = localDynamoDbClient(dynamodbEndpoint)
      await Promise.all(
        services.flatMap(({ manifest }) =>
          Object.keys(manifest.tables).map((t) =>
            client
              .send(new DeleteTableCommand({ TableName: physicalTableName(stage, manifest.name, t) }))
              .catch(() => {}),
          ),
        ),
      )
      client.destroy()
    }

    const busServer = createEventsServer(bus)
    const eventsEndpoint = `http://127.0.0.1:${await listen(busServer, 0)}`
    phases.endpoints.push(() => close(busServer))
    phases.drain.push(async () => {
      const left = await bus.close(options.busDrainMs ?? 5000)
      if (left) warn(`bus: ${left} deliveries left for the next start (journaled in ${dataDir})`)
    })
    // Mail sent with a configuration set puts its SES events (delivery, bounce, complaint) on the bus.
    const sesServer = createSesServer(mail, log, { putEvents: (entries) => bus.putEvents(entries) })
    const sesEndpoint = `http://127.0.0.1:${await listen(sesServer, 0)}`
    phases.endpoints.push(() => close(sesServer))
    const objects = new ObjectStore(join(dataDir, 's3'))
    const objectTriggers = new ObjectTriggers({
      triggers,
      invoker,
      region: LOCAL_REGION,
      // Lambda retries an asynchronous invocation twice.
      retryDelaysMs: (options.retryDelaysMs ?? [250, 1000]).slice(0, 2),
      log,
    })
    phases.drain.push(() => objectTriggers.close())
    const s3Server = createS3Server({
      store: objects,
      buckets: new Set(buckets.values()),
      credentials: LOCAL_CREDENTIALS,
      onObjectCreated: (created) => objectTriggers.notify(created),
      log,
    })
    // Loopback like the gateway: whoever can reach the API can reach the presigned URLs it hands out.
    const s3Endpoint = `http://127.0.0.1:${await listen(s3Server, 0)}`
    phases.endpoints.push(() => close(s3Server))
    const queues = await startQueues({ stage, services, invoker, region: LOCAL_REGION, dataDir, log })
    phases.sources.push(() => queues.stopConsumers())
    phases.endpoints.push(() => queues.close())

    // The handlers' world: same variables as in Lambda, pointing at local endpoints.
    Object.assign(process.env, {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      EVENTS_ENDPOINT: eventsEndpoint,
      SES_ENDPOINT: sesEndpoint,
      S3_ENDPOINT: s3Endpoint,
      EVENT_BUS_NAME: busName,
      STAGE: stage,
      MAIL_FROM: process.env.MAIL_FROM ?? 'Relay CRM <no-reply@relay.local>',
      SES_CONFIGURATION_SET: sesConfigurationSetName(stage),
      LINK_SIGNING_SECRET: process.env.LINK_SIGNING_SECRET || (await linkSecret(dataDir)),
    })
    for (const { manifest } of services) {
      for (const table of Object.keys(manifest.tables)) {
        process.env[tableEnvVar(manifest.name, table)] = physicalTableName(stage, manifest.name, table)
      }
    }
    for (const [envVar, name] of buckets) process.env[envVar] = name
    Object.assign(process.env, queues.env)

    await createTables(stage, services, { endpoint: dynamodbEndpoint })

    const outboxTablesOf = (withQueues: boolean) =>
      services
        .filter(({ manifest }) => !withQueues || Object.keys(manifest.queues ?? {}).length > 0)
        .flatMap(({ manifest }) =>
          Object.entries(manifest.tables)
            .filter(([, def]) => def.outbox)
            .map(([t]) => physicalTableName(stage, manifest.name, t)),
        )
    const outboxTables = outboxTablesOf(false)
    // The stream mappings, as in AWS: per outbox table the event publisher (kind = outbox) and, in
    // a service with queues, the queue publisher (kind = queue), each with its own checkpoints.
    // A `streamHandler` given instead takes every record of every outbox table (one mapping).
    const mappings: {
      name?: string
      tables: string[]
      handler?: StreamHandler
      filter?: StreamPollerOptions['filter']
    }[] = options.streamHandler
      ? [{ tables: outboxTables, handler: options.streamHandler }]
      : [
          {
            tables: outboxTables,
            handler: outboxTables.length
              ? await loadPublisher('@relay/core/outbox-publisher', warn)
              : undefined,
            filter: outboxKindFilter('outbox'),
          },
          {
            name: 'queue',
            tables: outboxTablesOf(true),
            handler: outboxTablesOf(true).length
              ? await loadPublisher('@relay/core/queue-publisher', warn)
              : undefined,
            filter: outboxKindFilter('queue'),
          },
        ]
    for (const { name, tables, handler, filter } of mappings) {
      if (!handler || !tables.length) continue
      const poller = new StreamPoller({
        endpoint: dynamodbEndpoint,
        tables,
        handler,
        ...(filter ? { filter } : {}),
        ...(name ? { name } : {}),
        dataDir,
        log,
      })
      await poller.start()
      phases.sources.push(() => poller.stop())
    }

    if (options.schedules !== false) scheduler.start()
    phases.sources.push(() => scheduler.stop())
    queues.start()
    bus.resume()

    const token = (tenant: string, roles: readonly string[], user?: string) =>
      mintDevToken({ tenant, roles, ...(user ? { user } : {}) }, { dataDir })

    const localRoutes: LocalRoute[] = [...coreLocalRoutes({ mail, bus, scheduler }), ...queues.routes]
    const local = localRouter(localRoutes)

    const gateway = createGateway({
      stage,
      services,
      invoker,
      verify: (t) => verifyDevToken(t, { dataDir }),
      local,
      log,
    })
    const port = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 3000)
    const url = `http://127.0.0.1:${await listen(gateway, port)}`
    // Links in mail (ratings, tracking, unsubscribe) point at this gateway unless told otherwise.
    if (!options.publicBaseUrl && !process.env.RELAY_PUBLIC_BASE_URL) process.env.PUBLIC_BASE_URL = url
    else process.env.PUBLIC_BASE_URL = options.publicBaseUrl ?? process.env.RELAY_PUBLIC_BASE_URL
    phases.intake.push(() => close(gateway, options.requestDrainMs ?? 5000))

    const runtime: LocalRuntime = {
      url,
      stage,
      dataDir,
      dynamodbEndpoint,
      eventsEndpoint,
      sesEndpoint,
      s3Endpoint,
      sqsEndpoint: queues.endpoint,
      services,
      bus,
      mail,
      scheduler,
      objects,
      objectTriggers,
      queues,
      token,
      triggerSchedule: (service, name) => scheduler.trigger(service, name),
      stop,
    }
    if (options.demo) await loadDemo(runtime, rawLog)
    return runtime
  } catch (err) {
    await stop()
    throw err
  }
}

/**
 * Every manifest bucket (env var → physical name `crm-<stage>-<service>-<bucket>`) and object
 * trigger; a trigger naming an undeclared bucket or function fails start-up.
 */
function localBuckets(
  stage: string,
  services: readonly LocalService[],
): { buckets: Map<string, string>; triggers: ObjectTriggerRef[] } {
  const buckets = new Map<string, string>()
  const triggers: ObjectTriggerRef[] = []
  for (const { manifest } of services) {
    for (const bucket of Object.keys(manifest.buckets ?? {})) {
      buckets.set(bucketEnvVar(manifest.name, bucket), physicalBucketName(stage, manifest.name, bucket))
    }
    for (const t of manifest.objectTriggers ?? []) {
      if (!manifest.buckets?.[t.bucket])
        throw new Error(
          `Service manifest ${manifest.name}: object trigger "${t.name}" names unknown bucket "${t.bucket}"`,
        )
      if (!manifest.functions[t.function])
        throw new Error(
          `Service manifest ${manifest.name}: object trigger "${t.name}" names unknown function "${t.function}"`,
        )
      triggers.push({
        service: manifest.name,
        name: t.name,
        bucket: physicalBucketName(stage, manifest.name, t.bucket),
        prefix: t.prefix,
        function: t.function,
      })
    }
  }
  return { buckets, triggers }
}
