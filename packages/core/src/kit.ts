/**
 * The service kit: `services/<svc>/src/kit.ts` gives the service its handler factories, each
 * built from the declaration it serves, so roles, schemas and event contracts are written once, in
 * the route or subscription. One export per factory: a handler bundles only the factory it uses
 * (what a function imports is its cold start).
 *
 * @example
 * // services/contacts/src/kit.ts
 * const service = { service: 'contacts', table: 'main' }
 * export const http = httpKit(service)
 * export const httpNonPost = nonPostHttpKit(service)
 * export const subscriber = subscriberKit(service)
 * export const worker = workerKit(service)
 *
 * // services/contacts/src/handlers/create-contact.ts
 * export const handler = http(createContact, async ({ body, caller, correlationId }) => {
 *   const contact = await createContactRecord(caller.tenantId, body, correlationId)
 *   return { status: 201, body: contact, version: contact.version, location: `/contacts/${contact.id}` }
 * })
 *
 * // services/analytics/src/handlers/erase-contact.ts
 * export const handler = subscriber(eraseContact, async (event) => eraseContactWork(event.detail.tenantId, event.detail.data.id))
 */
import type * as z from 'zod/mini'
import type { ZodMiniType } from 'zod/mini'
import { idempotency } from './http/idempotency.js'
import { type HttpHandler, httpStack, type KeyStep } from './http/stack.js'
import type { HttpRequest, HttpResult } from './http/types.js'
import { createLogger, type Logger } from './log.js'
import type { EventRef, RouteDef } from './manifest.js'
import {
  type ConsumeOptions,
  consumer,
  type EventOf,
  type IncomingEvent,
  type SubscriberHandler,
} from './subscriber.js'
import type { Work } from './work.js'
import {
  createWorker,
  type TenantMessage,
  type WorkerHandle,
  type WorkerHandler,
  type WorkerOptions,
} from './worker.js'

/** The handler's `body`: the output of the route's body schema, else undefined. */
export type BodyOf<R> = R extends { body: infer S extends ZodMiniType } ? z.output<S> : undefined
/** The handler's `query`: the output of the route's query schema; a route without one takes none. */
export type QueryOf<R> = R extends { query: infer S extends ZodMiniType }
  ? z.output<S>
  : Record<string, never>
/** The handler's `params`: the output of the route's params schema, else each `{name}` as a string. */
export type ParamsOf<R> = R extends { params: infer S extends ZodMiniType }
  ? z.output<S>
  : Record<string, string>
/** What the handler of route `R` receives. */
export type RequestOf<R> = HttpRequest<BodyOf<R>, QueryOf<R>, ParamsOf<R>>

export interface KitConfig {
  /** The service's name (its folder under `services/`). */
  service: string
  /** Logical table holding idempotency and event-dedupe records; without one, POSTs are not idempotency-tracked and subscribers cannot be built. */
  table?: string
}

export interface ServiceKit {
  /**
   * The handler of one route: the middy stack built from the declaration (roles, body, query,
   * params, maxBodyBytes, ownerField), `handle` typed from its schemas.
   */
  http<const R extends RouteDef>(route: R, handle: (req: RequestOf<R>) => Promise<HttpResult>): HttpHandler
  /**
   * The handler of one subscription: each event's data is validated against the contract of its
   * source and detail-type (a mismatch is logged and dropped), deduped by event id, and the
   * returned unit of work is committed with the dedupe record in one transaction.
   */
  subscriber<const S extends { events: readonly EventRef[] }>(
    subscription: S,
    handle: (event: EventOf<S>, ctx: { logger: Logger }) => Promise<Work | undefined>,
    options?: ConsumeOptions,
  ): SubscriberHandler
  /**
   * The handler of one of the service's work queues (SQS, partial batch failures): each body is
   * validated by `schema` (an invalid one is logged and dropped), deduped by message id, and the
   * returned unit of work is committed with the dedupe record; a throw fails only that message.
   */
  worker<T extends TenantMessage>(
    queue: string,
    schema: ZodMiniType<T>,
    handle: WorkerHandle<T>,
    options?: WorkerOptions,
  ): WorkerHandler
}

function contractKey(source: string, detailType: string): string {
  return `${source}\u0000${detailType}`
}

type Log = () => Logger

/** One logger per factory, made on first use: a kit imported by a manifest test costs nothing. */
function lazyLogger(service: string): Log {
  let logger: Logger | undefined
  return () => {
    logger ??= createLogger(service)
    return logger
  }
}

function needTable(config: KitConfig, what: string): string {
  if (!config.table) throw new Error(`${config.service}: ${what} need a table for their dedupe records`)
  return config.table
}

function httpFactory(config: KitConfig, keyStep: KeyStep | undefined): ServiceKit['http'] {
  const log = lazyLogger(config.service)
  return (route, handle) =>
    httpStack(
      { service: config.service, ...(config.table ? { table: config.table } : {}), logger: log() },
      route,
      handle as (req: HttpRequest<unknown, unknown, unknown>) => Promise<HttpResult>,
      keyStep,
    )
}

/**
 * The service's HTTP handler factory, for any route: a POST with an `Idempotency-Key` is claimed
 * and replayed. Each factory is its own pure export so a function bundles only the one it uses (an
 * HTTP handler carries no subscriber code, a subscriber no HTTP stack).
 */
/* @__NO_SIDE_EFFECTS__ */
export function httpKit(config: KitConfig): ServiceKit['http'] {
  return httpFactory(config, idempotency)
}

/**
 * The HTTP handler factory for routes other than POST: the same stack without the Idempotency-Key
 * step, which only ever acts on a POST, so a GET, PUT, PATCH or DELETE function bundles neither it
 * nor the idempotency record store. A POST route is refused when it is built (where the service
 * has a table to keep keys in), so none loses its replay by taking the wrong factory.
 */
/* @__NO_SIDE_EFFECTS__ */
export function nonPostHttpKit(config: KitConfig): ServiceKit['http'] {
  const http = httpFactory(config, undefined)
  return (route, handle) => {
    if (route.method === 'POST' && config.table)
      throw new TypeError(
        `${config.service} ${route.function}: a POST route replays its Idempotency-Key; build it with the kit's http`,
      )
    return http(route, handle)
  }
}

/** The service's event subscriber factory (see {@link httpKit} for why it stands alone). */
/* @__NO_SIDE_EFFECTS__ */
export function subscriberKit(config: KitConfig): ServiceKit['subscriber'] {
  const log = lazyLogger(config.service)
  return (subscription, handle, options) => {
    const table = needTable(config, 'subscribers')
    const contracts = new Map<string, ZodMiniType>()
    for (const e of subscription.events) contracts.set(contractKey(e.source, e.detailType), e.data)
    const name = (subscription as { name?: unknown }).name
    return consumer(
      { service: config.service, table, logger: log(), ...(typeof name === 'string' ? { scope: name } : {}) },
      (source, detailType) => contracts.get(contractKey(source, detailType)) ?? null,
      handle as (event: IncomingEvent<unknown>, ctx: { logger: Logger }) => Promise<Work | undefined>,
      options,
    )
  }
}

/** The service's work-queue consumer factory (see {@link httpKit} for why it stands alone). */
/* @__NO_SIDE_EFFECTS__ */
export function workerKit(config: KitConfig): ServiceKit['worker'] {
  const log = lazyLogger(config.service)
  return (queue, schema, handle, options) => {
    const table = needTable(config, 'workers')
    return createWorker({ service: config.service, table, logger: log() })(queue, schema, handle, options)
  }
}
