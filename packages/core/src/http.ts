/**
 * What HTTP handlers and their tests import: the request and result types and
 * `contentDisposition`. Handlers are built with the service kit (`kit.ts`: `http(route, handle)`);
 * the stack itself lives in `http/` (one small middleware per step, see `http/stack.ts`).
 */

export { parseCaller, parseGroups } from './http/auth.js'
export { DEFAULT_MAX_BODY_BYTES } from './http/body-limit.js'
export { contentDisposition } from './http/response.js'
export { DEADLINE_MARGIN_MS, type HttpHandler } from './http/stack.js'
export type { Caller, HttpRequest, HttpResult, RawBody } from './http/types.js'
export { parseIfMatch } from './http/validate.js'
export { IDEMPOTENCY_TTL_SECONDS } from './idempotency-store.js'
