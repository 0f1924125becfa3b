/**
 * The local work queues (DESIGN §3, issue 8 item 4): an SQS-compatible endpoint that the real
 * @aws-sdk/client-sqs talks to unchanged, every manifest queue created on it with its dead-letter
 * queue, `SQS_ENDPOINT` and `<SERVICE>_<QUEUE>_QUEUE_URL` for the handlers, the consumers polling,
 * and `/_local/queues` routes to list queues and dead letters and to redrive them.
 *
 * Ours rather than the npm emulator fauxqs (evaluated: 2.4.1): fauxqs has no StartMessageMoveTask
 * or ListDeadLetterSourceQueues, so dead letters could be neither redriven nor listed without
 * consuming them; with persistence on, ChangeMessageVisibility refused a message received by a long
 * poll (MessageNotInflight); DeleteMessage accepts any receipt handle; and it brings fastify, pino,
 * ajv, the SNS and S3 clients and node:sqlite's experimental warning for what is ~900 lines here.
 */

import type { Server } from 'node:http'
import { join } from 'node:path'
import type { QueueDef } from '@relay/core/manifest'
import { deadLetterQueueName, physicalQueueName, queueEnvVar } from '@relay/core/names'
import type { LocalAnswer } from '../gateway.js'
import { type Invoker, LOCAL_ACCOUNT, type LocalService } from '../invoke.js'
import type { LocalRoute } from '../local-routes.js'
import { problemBody } from '../problem.js'
import { type ConsumedQueue, QueueConsumers } from './consumers.js'
import { QueueStore, type StoredMessage } from './queues.js'
import { createSqsServer } from './server.js'

/** Lambda's default timeout of an event-driven function here, when the manifest names none. */
const DEFAULT_TIMEOUT_SECONDS = 30
/** Polling loops per queue when the manifest sets no `maxConcurrency` (Lambda starts with 5; a laptop wants fewer). */
const DEFAULT_LOCAL_CONCURRENCY = 2
const DEFAULT_MAX_RECEIVE_COUNT = 5
const DEFAULT_BATCH_SIZE = 10
/** As the CDK app keeps them (infra/lib/service/queues.ts): 14 days, SQS's longest, to look into them. */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600

export interface QueueSummary {
  service: string
  queue: string
  name: string
  url: string
  consumer: string
  visible: number
  inFlight: number
  delayed: number
  deadLetters: number
}

/** A dead-lettered message as `/_local/queues/{service}/{queue}/dead-letters` lists it. */
export interface QueueDeadLetter {
  messageId: string
  /** The body as JSON when it parses, else the text. */
  body: unknown
  receiveCount: number
  sentAt: string
  deadLetteredAt?: string
}

export interface LocalQueues {
  /** `SQS_ENDPOINT`. */
  endpoint: string
  /** What the handlers' environment needs: `SQS_ENDPOINT` and every queue's URL variable. */
  env: Record<string, string>
  /** The `/_local/queues...` routes. */
  routes: LocalRoute[]
  store: QueueStore
  /** Events 'invoked' and 'failed'. */
  consumers: QueueConsumers
  list(): QueueSummary[]
  deadLetters(service: string, queue: string): QueueDeadLetter[]
  /** Moves dead letters (all, or those of `ids`) back to their queue; answers how many moved. */
  redrive(service: string, queue: string, ids?: readonly string[]): Promise<number>
  /** Resolves once every manifest queue is empty (dead letters aside) and no batch is running. */
  idle(): Promise<void>
  /** Starts the consumers: call once the tables and the environment are there. */
  start(): void
  /** Stops the consumers (running batches finish). */
  stopConsumers(): Promise<void>
  /** Stops the endpoint and writes what is pending. */
  close(): Promise<void>
}

interface ManifestQueue extends ConsumedQueue {
  dlqName: string
  def: QueueDef
}

/** Every manifest queue with its defaults filled in; a queue naming an unknown consumer fails start-up. */
export function manifestQueues(
  stage: string,
  services: readonly LocalService[],
  arnOf: (name: string) => string,
): ManifestQueue[] {
  return services.flatMap(({ manifest }) =>
    Object.entries(manifest.queues ?? {}).map(([queue, def]): ManifestQueue => {
      const fn = manifest.functions[def.consumer]
      if (!fn)
        throw new Error(
          `Service manifest ${manifest.name}: queue "${queue}" names unknown consumer "${def.consumer}"`,
        )
      const name = physicalQueueName(stage, manifest.name, queue)
      return {
        service: manifest.name,
        queue,
        name,
        dlqName: deadLetterQueueName(stage, manifest.name, queue),
        arn: arnOf(name),
        function: def.consumer,
        batchSize: def.batchSize ?? DEFAULT_BATCH_SIZE,
        concurrency: def.maxConcurrency ?? DEFAULT_LOCAL_CONCURRENCY,
        def: {
          ...def,
          visibilityTimeoutSeconds:
            def.visibilityTimeoutSeconds ?? 6 * (fn.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
        },
      }
    }),
  )
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('SQS endpoint has no port')
  return address.port
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

function deadLetterOf(m: StoredMessage): QueueDeadLetter {
  let body: unknown = m.body
  try {
    body = JSON.parse(m.body)
  } catch {}
  const at = iso(m.deadLetteredAt)
  return {
    messageId: m.id,
    body,
    receiveCount: m.receiveCount,
    sentAt: iso(m.sentAt)!,
    ...(at ? { deadLetteredAt: at } : {}),
  }
}

/**
 * Starts the SQS endpoint with every manifest queue and its dead-letter queue (kept under
 * `<dataDir>/sqs`); the consumers wait for {@link LocalQueues.start}.
 *
 * @example
 * const queues = await startQueues({ stage, services, invoker, dataDir, region, log })
 * Object.assign(process.env, queues.env)
 * queues.start()
 */
export async function startQueues(opts: {
  stage: string
  services: readonly LocalService[]
  invoker: Invoker
  region: string
  /** None: messages live in memory only. */
  dataDir?: string
  log(line: string): void
}): Promise<LocalQueues> {
  const store = new QueueStore({
    ...(opts.dataDir ? { dir: join(opts.dataDir, 'sqs') } : {}),
    region: opts.region,
    account: LOCAL_ACCOUNT,
  })
  const queues = manifestQueues(opts.stage, opts.services, (n) => store.arnOf(n))
  await store.load()
  let base = ''
  const server = createSqsServer({ store, account: LOCAL_ACCOUNT, baseUrl: () => base, log: opts.log })
  base = `http://127.0.0.1:${await listen(server)}`
  const urlOf = (name: string) => `${base}/${LOCAL_ACCOUNT}/${name}`

  // A restart keeps the queues and their messages; the manifest's settings win over the stored ones.
  for (const q of queues) {
    await store.create(q.dlqName, {})
    await store.setAttributes(q.dlqName, { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS) })
    await store.create(q.name, {})
    await store.setAttributes(q.name, {
      VisibilityTimeout: String(q.def.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: store.arnOf(q.dlqName),
        maxReceiveCount: q.def.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      }),
    })
  }

  const env: Record<string, string> = { SQS_ENDPOINT: base }
  for (const q of queues) env[queueEnvVar(q.service, q.queue)] = urlOf(q.name)

  const consumers = new QueueConsumers({
    store,
    queues,
    invoker: opts.invoker,
    region: opts.region,
    account: LOCAL_ACCOUNT,
    log: opts.log,
  })
  const find = (service: string, queue: string) =>
    queues.find((q) => q.service === service && q.queue === queue)

  const local: LocalQueues = {
    endpoint: base,
    env,
    routes: [],
    store,
    consumers,
    list: () =>
      queues.map((q) => {
        const c = store.counts(q.name)
        const dl = store.counts(q.dlqName)
        return {
          service: q.service,
          queue: q.queue,
          name: q.name,
          url: urlOf(q.name),
          consumer: q.function,
          ...c,
          deadLetters: dl.visible + dl.inFlight + dl.delayed,
        }
      }),
    deadLetters(service, queue) {
      const q = find(service, queue)
      return q ? store.peek(q.dlqName).map(deadLetterOf) : []
    },
    async redrive(service, queue, ids) {
      const q = find(service, queue)
      return q ? store.redrive(q.dlqName, { to: q.name, ...(ids ? { ids } : {}) }) : 0
    },
    idle: () => consumers.idle(),
    start: () => consumers.start(),
    stopConsumers: () => consumers.stop(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await store.close()
    },
  }
  local.routes = queueRoutes(local, (service, queue) => find(service, queue) !== undefined)
  return local
}

/** `/_local/queues`, `/_local/queues/{service}/{queue}/dead-letters` and `.../dead-letters/redrive`. */
function queueRoutes(queues: LocalQueues, exists: (service: string, queue: string) => boolean): LocalRoute[] {
  const unknown = (service: string, queue: string): LocalAnswer => ({
    status: 404,
    body: problemBody(404, `No queue ${queue} in service ${service}`),
  })
  return [
    { method: 'GET', path: 'queues', handle: () => ({ status: 200, body: { items: queues.list() } }) },
    {
      method: 'GET',
      path: 'queues/{service}/{queue}/dead-letters',
      handle: ({ params: { service = '', queue = '' } }) =>
        exists(service, queue)
          ? { status: 200, body: { items: queues.deadLetters(service, queue) } }
          : unknown(service, queue),
    },
    {
      method: 'POST',
      path: 'queues/{service}/{queue}/dead-letters/redrive',
      handle: async ({ params: { service = '', queue = '' }, body }) => {
        if (!exists(service, queue)) return unknown(service, queue)
        let ids: string[] | undefined
        try {
          const parsed = body ? (JSON.parse(body) as { ids?: unknown }) : {}
          if (parsed.ids !== undefined && !Array.isArray(parsed.ids)) throw new Error('ids')
          if (Array.isArray(parsed.ids)) ids = parsed.ids.map(String)
        } catch {
          return {
            status: 400,
            body: problemBody(400, 'Body must be JSON like {"ids": ["<messageId>"]} or empty'),
          }
        }
        return { status: 200, body: { redriven: await queues.redrive(service, queue, ids) } }
      },
    },
  ]
}
