/**
 * The middy stack of one route, in onion order (before hooks in this order; after and onError
 * hooks in reverse):
 *
 * correlation → problems → auth → body limit → JSON parse → validate → ownership → idempotency →
 * respond → handler (with the request's idempotency claim, and a deadline before Lambda's).
 *
 * The idempotency step is handed in (`keyStep`) rather than imported: only POST replays an
 * Idempotency-Key, so the kit leaves it, and its record store, out of the other routes' bundles.
 */
import middy, { type MiddyfiedHandler } from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import type { ZodMiniType } from 'zod/mini'
import { runWithClaim } from '../idempotency-claim.js'
import { createLogger, type Logger } from '../log.js'
import type { Role } from '../manifest.js'
import { TimedOut } from '../outcomes.js'
import { auth } from './auth.js'
import { bodyLimit } from './body-limit.js'
import { correlation } from './correlation.js'
import { DEADLINE_MARGIN_MS } from './deadline.js'
import type { IdempotencyOptions } from './idempotency.js'
import { ownership } from './ownership.js'
import { parseJsonBody } from './parse.js'
import { problems } from './problem.js'
import { handlerRequest, respond, stateOfEvent } from './response.js'
import type { HttpMiddleware, HttpRequest, HttpResult } from './types.js'
import { pathParamNames, validate } from './validate.js'

export type HttpHandler = MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>

export { DEADLINE_MARGIN_MS }

export interface StackConfig {
  service: string
  /** Logical table holding idempotency records. */
  table?: string
  logger?: Logger
}

/** Builds the idempotency step (`idempotency` of `./idempotency.js`). */
export type KeyStep = (options: IdempotencyOptions) => HttpMiddleware

export interface StackRoute {
  roles: readonly Role[] | 'public'
  /** Route path (`/contacts/{id}`): its `{name}` segments are the default path parameters. */
  path?: string
  body?: ZodMiniType
  query?: ZodMiniType
  params?: ZodMiniType
  maxBodyBytes?: number
  ownerField?: string
}

/** A route's handler with the whole stack around it; without `keyStep`, no Idempotency-Key step. */
export function httpStack(
  config: StackConfig,
  route: StackRoute,
  handle: (req: HttpRequest<unknown, unknown, unknown>) => Promise<HttpResult>,
  keyStep?: KeyStep,
): HttpHandler {
  const logger = config.logger ?? createLogger(config.service)
  const base = (event: APIGatewayProxyEventV2): Promise<unknown> => {
    const internal = stateOfEvent(event)
    if (!internal) return Promise.reject(new Error('HTTP request state missing'))
    const pending = runWithClaim(internal.claim, () => handle(handlerRequest(internal, event, logger)))
    internal.pending = pending
    return pending
  }
  const handler = middy(base, {
    timeoutEarlyInMillis: DEADLINE_MARGIN_MS,
    timeoutEarlyResponse: () => {
      throw new TimedOut()
    },
    // Runs even after an early (replayed) answer, which skips the after hooks.
    requestEnd: () => logger.removePersistentKeys(['correlationId']),
  })
    .use(correlation({ logger }))
    .use(problems({ logger }))
    .use(auth({ roles: route.roles }))
    .use(bodyLimit(route.maxBodyBytes !== undefined ? { maxBytes: route.maxBodyBytes } : {}))
  if (route.body) handler.use(parseJsonBody())
  handler.use(
    validate({
      ...(route.body ? { body: route.body } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.params ? { params: route.params } : {}),
      paramNames: route.path ? pathParamNames(route.path) : [],
    }),
  )
  if (route.ownerField !== undefined) handler.use(ownership({ field: route.ownerField }))
  if (keyStep)
    handler.use(
      keyStep({ service: config.service, ...(config.table ? { table: config.table } : {}), logger }),
    )
  handler.use(respond({ logger }))
  return handler as unknown as HttpHandler
}
