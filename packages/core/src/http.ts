/**
 * What HTTP handlers and their tests import: the request and result types and
 * `contentDisposition`. Handlers are built with the service kit (`kit.ts`: `http(route, handle)`);
 * the stack itself lives in `http/` (one small middleware per step, see `http/stack.ts`).
 */
import type { ZodMiniType } from 'zod/mini'
import { type HttpHandler, httpStack } from './http/stack.js'
import type { HttpRequest, HttpResult } from './http/types.js'
import type { Role } from './manifest.js'

export { parseCaller, parseGroups } from './http/auth.js'
export { DEFAULT_MAX_BODY_BYTES } from './http/body-limit.js'
export { contentDisposition } from './http/response.js'
export { DEADLINE_MARGIN_MS, type HttpHandler } from './http/stack.js'
export type { Caller, HttpRequest, HttpResult, RawBody } from './http/types.js'
export { parseIfMatch } from './http/validate.js'
export { IDEMPOTENCY_TTL_SECONDS } from './idempotency-store.js'

/** @deprecated Declare the route with `route()` and build the handler with the kit's `http(route, handle)`. */
export interface HttpOptions<B, Q, P> {
  roles: readonly Role[] | 'public'
  body?: ZodMiniType<B>
  query?: ZodMiniType<Q>
  params?: ZodMiniType<P>
  maxBodyBytes?: number
  handle(req: HttpRequest<B, Q, P>): Promise<HttpResult>
}

/** @deprecated See {@link HttpOptions}. */
export interface HttpConfig {
  service: string
  table?: string
}

/** @deprecated Use `serviceKit({ service, table }).http(route, handle)` (`@relay/core/kit`). */
export function createHttp(
  config: HttpConfig,
): <B = undefined, Q = Record<string, string | undefined>, P = Record<string, string>>(
  options: HttpOptions<B, Q, P>,
) => HttpHandler {
  return <B, Q, P>(options: HttpOptions<B, Q, P>): HttpHandler =>
    httpStack(
      config,
      options,
      options.handle as (req: HttpRequest<unknown, unknown, unknown>) => Promise<HttpResult>,
    )
}
