/** The types the HTTP middlewares share: what a handler receives and returns, and per-request state. */
import type { MiddlewareObj, Request } from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import type { ActiveClaim } from '../idempotency-claim.js'
import type { Logger } from '../log.js'
import type { Role } from '../manifest.js'

/** Who is calling: from the verified JWT, never from the request. */
export interface Caller {
  tenantId: string
  userId: string
  roles: Role[]
}

/** The caller of a `public` route. */
export const ANONYMOUS: Caller = Object.freeze({ tenantId: '', userId: 'anonymous', roles: [] }) as Caller

/** What a handler receives. */
export interface HttpRequest<B, Q, P> {
  body: B
  query: Q
  params: P
  /** For `public` routes: `{ tenantId: '', userId: 'anonymous', roles: [] }`. */
  caller: Caller
  /** Lower-cased names. */
  headers: Record<string, string | undefined>
  /** Version from `If-Match: "3"` or `W/"3"`; `*` → undefined. */
  ifMatch?: number
  idempotencyKey?: string
  correlationId: string
  logger: Logger
  event: APIGatewayProxyEventV2
}

/** What a handler returns. */
export interface HttpResult {
  status: number
  /** JSON-serialised; undefined → no body. */
  body?: unknown
  headers?: Record<string, string>
  /** → `ETag: "<version>"` */
  version?: number
  /** → `Location` (use on 201). */
  location?: string
  /**
   * A non-JSON answer (CSV, JSON lines…), sent as is instead of `body`: `contentType` →
   * `Content-Type`, `filename` → `Content-Disposition: attachment`. Lambda's response limit
   * (6 MB) applies: page larger results.
   */
  raw?: RawBody
}

/** A body sent as is, see {@link HttpResult.raw}. */
export interface RawBody {
  body: string
  contentType: string
  /** Suggested file name; non-ASCII characters go in `filename*` (RFC 6266). */
  filename?: string
  /**
   * `body` is base64 of binary bytes (an image): answered with `isBase64Encoded`, which API
   * Gateway decodes before the client sees it.
   */
  base64?: boolean
}

/** Per-request state the middlewares share, kept in middy's `request.internal`. */
export interface HttpInternal {
  correlationId: string
  headers: Record<string, string | undefined>
  caller: Caller
  /** The body as text (base64 decoded), once the body limit let it through. */
  rawBody?: string
  /** The body's bytes when API Gateway sent it base64-encoded (checked as UTF-8 by the parse step). */
  bodyBytes?: Buffer
  /** The parsed JSON body, before schema validation. */
  json?: unknown
  body?: unknown
  query?: unknown
  params?: unknown
  ifMatch?: number
  idempotencyKey?: string
  /** The idempotency claim this request holds, while it holds one. */
  claim?: ActiveClaim
  /** The handler's own promise: it may still run after a time-out answered for it. */
  pending?: Promise<unknown>
}

export type HttpMiddyRequest = Request<APIGatewayProxyEventV2, unknown, Error, Context>
export type HttpMiddleware = MiddlewareObj<APIGatewayProxyEventV2, unknown, Error, Context>
export type LambdaResult = APIGatewayProxyStructuredResultV2

/** The request's shared state (middy's `request.internal`). */
export function state(request: HttpMiddyRequest): HttpInternal {
  return request.internal as unknown as HttpInternal
}

export function methodOf(event: APIGatewayProxyEventV2): string {
  return (event.requestContext?.http?.method ?? 'GET').toUpperCase()
}

export function pathOf(event: APIGatewayProxyEventV2): string {
  return event.rawPath ?? event.requestContext?.http?.path ?? '/'
}

/** Throws when an option is not what a middleware expects (a bug in the stack's set-up, not a request). */
export function assertOption(ok: boolean, middleware: string, message: string): void {
  if (!ok) throw new TypeError(`${middleware}: ${message}`)
}
