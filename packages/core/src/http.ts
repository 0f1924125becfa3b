/**
 * The middy stack every HTTP handler uses. Onion order:
 *
 * correlation id + logger → error→problem+json → auth (tenant, subject, roles) → body limit →
 * JSON + zod validation (body, query, params, If-Match) → idempotency (POST + Idempotency-Key) →
 * response shaping → handler.
 *
 * Each step is a small middy middleware factory returning `{ before, after, onError }` that keeps
 * its per-request state in `request.internal`.
 */
import { createHash } from 'node:crypto'
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import middy, { type MiddlewareObj, type MiddyfiedHandler, type Request } from '@middy/core'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import type { ZodMiniType } from 'zod/mini'
import { documentClient, isConditionalCheckFailed, tableName } from './ddb.js'
import {
  badRequest,
  conflict,
  type FieldError,
  forbidden,
  HttpError,
  payloadTooLarge,
  preconditionFailed,
  problem,
  unauthorized,
  unprocessable,
} from './errors.js'
import { newId } from './ids.js'
import { tenantKey } from './keys.js'
import { createLogger, type Logger } from './log.js'
import { ROLES, type Role } from './manifest.js'
import { zodIssuesToFieldErrors, issueMessage as zodMessage } from './validation.js'

/** Who is calling: from the verified JWT, never from the request. */
export interface Caller {
  tenantId: string
  userId: string
  roles: Role[]
}

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
}

/**
 * `Content-Disposition: attachment` for `filename`: an ASCII fallback in `filename` and the exact
 * name, percent-encoded as UTF-8, in `filename*` (RFC 6266 / 8187).
 */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\;]/g, '_')
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

export interface HttpOptions<B, Q, P> {
  roles: readonly Role[] | 'public'
  /** Use strict object schemas (`z.strictObject`) so unknown fields are rejected, each named. */
  body?: ZodMiniType<B>
  query?: ZodMiniType<Q>
  params?: ZodMiniType<P>
  /** Default 65 536 → 413 problem when exceeded. */
  maxBodyBytes?: number
  handle(req: HttpRequest<B, Q, P>): Promise<HttpResult>
}

export interface HttpConfig {
  service: string
  /** Logical table holding idempotency records. Omit for services without tables: POSTs are then not idempotency-tracked. */
  table?: string
}

export type HttpHandler = MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>

/** Default body limit of {@link HttpOptions.maxBodyBytes}. */
export const DEFAULT_MAX_BODY_BYTES = 65_536
/** How long a completed idempotency record is replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600
const IDEMPOTENCY_KEY_MAX = 255
const ANONYMOUS: Caller = { tenantId: '', userId: 'anonymous', roles: [] }

/** Per-request state shared by the middlewares (lives in `request.internal`). */
export interface HttpInternal extends Record<string, unknown> {
  correlationId: string
  headers: Record<string, string | undefined>
  caller: Caller
  rawBody?: string
  body?: unknown
  query?: unknown
  params?: unknown
  ifMatch?: number
  idempotencyKey?: string
  idempotency?: { table: string; pk: string }
}

type HttpMiddyRequest = Request<APIGatewayProxyEventV2, unknown, Error, Context>
type HttpMiddleware = MiddlewareObj<APIGatewayProxyEventV2, unknown, Error, Context>

function state(request: HttpMiddyRequest): HttpInternal {
  return request.internal as unknown as HttpInternal
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

// ---------------------------------------------------------------------------------------------
// Pure helpers (exported for tests and reuse)

/**
 * Groups claim as API Gateway HTTP API delivers it: `[admin sales]` (a stringified array), a real
 * array, or comma-separated `admin,sales`. A JSON array string is accepted too.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean)
  if (typeof value !== 'string') return []
  let text = value.trim()
  if (text.startsWith('[') && text.endsWith(']')) {
    if (text.includes('"')) {
      try {
        const parsed: unknown = JSON.parse(text)
        if (Array.isArray(parsed)) return parseGroups(parsed)
      } catch {
        // not JSON: fall through to the HTTP API form
      }
    }
    text = text.slice(1, -1)
  }
  return text
    .split(/[\s,]+/)
    .map((g) => g.replace(/^"|"$/g, ''))
    .filter(Boolean)
}

/**
 * The caller from JWT claims (`custom:tenantId`, `sub`, `cognito:groups`), or undefined when the
 * tenant or subject is missing or unusable. Groups that are not known roles are ignored.
 */
export function parseCaller(claims: Record<string, unknown> | undefined): Caller | undefined {
  if (!claims) return undefined
  const tenantId = claims['custom:tenantId']
  const userId = claims.sub
  // '#' would let a tenant reach into another tenant's key space (T#a#b...).
  if (typeof tenantId !== 'string' || !tenantId || tenantId.includes('#') || tenantId.length > 128)
    return undefined
  if (typeof userId !== 'string' || !userId) return undefined
  const known = new Set<string>(ROLES)
  const roles = [...new Set(parseGroups(claims['cognito:groups']))].filter((g): g is Role => known.has(g))
  return { tenantId, userId, roles }
}

/**
 * The version an `If-Match` header names: `"3"`, `W/"3"` (and a bare `3`). `*` or no header →
 * undefined. Anything else (lists, non-numbers) → HttpError 400 on field `headers.if-match`.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  const value = header.trim()
  if (value === '*') return undefined
  const m = /^(?:W\/)?"(\d{1,15})"$|^(\d{1,15})$/.exec(value)
  const digits = m?.[1] ?? m?.[2]
  if (digits === undefined) {
    throw badRequest([
      {
        field: 'headers.if-match',
        code: 'invalid_if_match',
        message: 'If-Match must be one ETag such as "3"',
      },
    ])
  }
  return Number(digits)
}

function lowerCaseHeaders(
  headers: APIGatewayProxyEventV2['headers'] | undefined,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v
  return out
}

function rawBodyOf(event: APIGatewayProxyEventV2): string | undefined {
  if (event.body === undefined || event.body === null) return undefined
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body
}

function methodOf(event: APIGatewayProxyEventV2): string {
  return (event.requestContext?.http?.method ?? 'GET').toUpperCase()
}

function pathOf(event: APIGatewayProxyEventV2): string {
  return event.rawPath ?? event.requestContext?.http?.path ?? '/'
}

// ---------------------------------------------------------------------------------------------
// Middlewares

/** Correlation id (x-correlation-id, else API Gateway's request id, else a new id) and logger keys. */
export function correlationMiddleware(logger: Logger): HttpMiddleware {
  return {
    before: (request) => {
      // A private copy: the handler's request state is keyed on this object, so two invocations
      // sharing one event object (tests, local replays) cannot see each other's state.
      request.event = { ...request.event }
      const headers = lowerCaseHeaders(request.event.headers)
      const given = headers['x-correlation-id']
      // Only safe characters reach the logs and the response headers.
      const correlationId =
        given && /^[\w.:-]{1,128}$/.test(given) ? given : (request.event.requestContext?.requestId ?? newId())
      const internal = state(request)
      internal.correlationId = correlationId
      internal.headers = headers
      internal.caller = ANONYMOUS
      logger.appendPersistentKeys({ correlationId })
    },
  }
}

/** Turns any error into a problem+json response; ConditionalCheckFailed → 412 (with If-Match) or 409. */
export function problemMiddleware(logger: Logger): HttpMiddleware {
  return {
    onError: (request) => {
      const internal = state(request)
      const correlationId = internal.correlationId ?? request.event.requestContext?.requestId ?? 'unknown'
      const err = request.error
      let httpError: HttpError
      if (err instanceof HttpError || (err as { name?: string } | undefined)?.name === 'HttpError') {
        httpError = err as HttpError
      } else if (isConditionalCheckFailed(err)) {
        httpError =
          internal.headers?.['if-match'] !== undefined
            ? preconditionFailed()
            : conflict('The resource was changed or already exists.')
      } else {
        logger.error('Unhandled error', err as Error)
        httpError = new HttpError(
          500,
          undefined,
          'An unexpected error occurred. Quote the correlationId when reporting it.',
        )
      }
      if (httpError.status < 500)
        logger.info('Request failed', { status: httpError.status, detail: httpError.detail })
      // Not returned: returning would skip the outer onError hooks.
      request.response = problem(httpError, pathOf(request.event), correlationId)
    },
  }
}

/** Tenant, subject and roles from the JWT authorizer's claims; 401 without them, 403 without an allowed role. */
export function authMiddleware(roles: readonly Role[] | 'public'): HttpMiddleware {
  return {
    before: (request) => {
      if (roles === 'public') return
      const authorizer = (
        request.event.requestContext as { authorizer?: { jwt?: { claims?: Record<string, unknown> } } }
      )?.authorizer
      const caller = parseCaller(authorizer?.jwt?.claims)
      if (!caller) throw unauthorized()
      if (!caller.roles.some((r) => roles.includes(r))) throw forbidden()
      state(request).caller = caller
    },
  }
}

/** 413 when the (decoded) body is over `maxBytes`. */
export function bodyLimitMiddleware(maxBytes: number = DEFAULT_MAX_BODY_BYTES): HttpMiddleware {
  if (!Number.isInteger(maxBytes) || maxBytes < 0)
    throw new Error(`maxBodyBytes must be a non-negative integer`)
  return {
    before: (request) => {
      const raw = rawBodyOf(request.event)
      if (raw !== undefined && Buffer.byteLength(raw, 'utf8') > maxBytes) throw payloadTooLarge(maxBytes)
      state(request).rawBody = raw
    },
  }
}

/** JSON parsing and zod validation of body, query and params; If-Match and Idempotency-Key headers. */
export function validationMiddleware(schemas: {
  body?: ZodMiniType
  query?: ZodMiniType
  params?: ZodMiniType
}): HttpMiddleware {
  return {
    before: (request) => {
      const internal = state(request)
      const errors: FieldError[] = []
      try {
        internal.ifMatch = parseIfMatch(internal.headers['if-match'])
      } catch (err) {
        errors.push(...((err as HttpError).errors ?? []))
      }
      const idempotencyKey = internal.headers['idempotency-key']
      if (idempotencyKey !== undefined) {
        if (idempotencyKey.length === 0 || idempotencyKey.length > IDEMPOTENCY_KEY_MAX) {
          errors.push({
            field: 'headers.idempotency-key',
            code: 'invalid_idempotency_key',
            message: `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`,
          })
        } else internal.idempotencyKey = idempotencyKey
      }

      if (schemas.body) {
        let json: unknown
        let parsed = true
        const raw = internal.rawBody ?? rawBodyOf(request.event)
        if (raw !== undefined && raw.trim() !== '') {
          try {
            json = JSON.parse(raw)
          } catch {
            parsed = false
            errors.push({ field: 'body', code: 'invalid_json', message: 'The body is not valid JSON' })
          }
        }
        if (parsed) {
          const result = schemas.body.safeParse(json, { error: zodMessage })
          if (result.success) internal.body = result.data
          else errors.push(...zodIssuesToFieldErrors(result.error.issues, '', 'body'))
        }
      }
      const query = request.event.queryStringParameters ?? {}
      if (schemas.query) {
        const result = schemas.query.safeParse(query, { error: zodMessage })
        if (result.success) internal.query = result.data
        else errors.push(...zodIssuesToFieldErrors(result.error.issues, 'query', 'query'))
      } else internal.query = query
      const params = request.event.pathParameters ?? {}
      if (schemas.params) {
        const result = schemas.params.safeParse(params, { error: zodMessage })
        if (result.success) internal.params = result.data
        else errors.push(...zodIssuesToFieldErrors(result.error.issues, 'params', 'params'))
      } else internal.params = params

      if (errors.length) throw badRequest(errors)
    },
  }
}

interface IdempotencyRecord {
  status?: string
  requestHash?: string
  response?: APIGatewayProxyStructuredResultV2
}

/**
 * Idempotency for POST with an `Idempotency-Key` header, keyed per tenant
 * (pk `T#<tenant>#IDEMP#<sha256(key)>`, sk `IDEMP`, ttl 24 h).
 *
 * A conditional Put claims the key, so of two simultaneous requests exactly one runs the handler;
 * the other gets 409. The same key and request later → the stored response, replayed with
 * `Idempotency-Replayed: true` (an early return: the handler does not run). The same key with another
 * request → 422. A response ≥ 500 or a thrown error deletes the record so a retry can run.
 */
export function idempotencyMiddleware(config: {
  service: string
  table?: string
  logger: Logger
}): HttpMiddleware {
  return {
    before: async (request) => {
      const internal = state(request)
      const key = internal.idempotencyKey
      if (!config.table || !key || methodOf(request.event) !== 'POST' || !internal.caller.tenantId) return
      const table = tableName(config.service, config.table)
      const pk = tenantKey(internal.caller.tenantId, 'IDEMP', sha256(key))
      const requestHash = sha256(
        `${methodOf(request.event)}\n${pathOf(request.event)}\n${internal.rawBody ?? ''}`,
      )
      const now = Date.now()
      // A crashed invocation must not block its key for 24 h: the claim lapses after the function's time.
      const remaining = request.context?.getRemainingTimeInMillis?.() ?? 30_000
      try {
        await documentClient().send(
          new PutCommand({
            TableName: table,
            Item: {
              pk,
              sk: 'IDEMP',
              kind: 'idempotency',
              status: 'IN_PROGRESS',
              requestHash,
              inProgressUntil: now + Math.min(Math.max(remaining, 1000), 900_000),
              ttl: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
            },
            ConditionExpression:
              'attribute_not_exists(pk) OR #ttl < :nowSec OR (#status = :inProgress AND #until < :nowMs)',
            ExpressionAttributeNames: { '#ttl': 'ttl', '#status': 'status', '#until': 'inProgressUntil' },
            ExpressionAttributeValues: {
              ':nowSec': Math.floor(now / 1000),
              ':nowMs': now,
              ':inProgress': 'IN_PROGRESS',
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        )
        internal.idempotency = { table, pk }
        return
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err
        const existing = await existingRecord(err, table, pk)
        if (!existing) throw conflict('A request with this Idempotency-Key is in progress; retry later.')
        if (existing.requestHash !== requestHash) {
          throw unprocessable('This Idempotency-Key was already used for a different request.')
        }
        if (existing.status !== 'COMPLETED' || !existing.response) {
          throw conflict('A request with this Idempotency-Key is still in progress; retry later.')
        }
        config.logger.info('Idempotent replay', { idempotencyKey: key })
        const stored = existing.response
        return {
          ...stored,
          headers: {
            ...stored.headers,
            'Idempotency-Replayed': 'true',
            'x-correlation-id': internal.correlationId,
          },
        } satisfies APIGatewayProxyStructuredResultV2
      }
    },
    after: async (request) => {
      const claim = state(request).idempotency
      if (!claim) return
      const response = request.response as APIGatewayProxyStructuredResultV2
      try {
        if ((response.statusCode ?? 200) >= 500) {
          await documentClient().send(
            new DeleteCommand({ TableName: claim.table, Key: { pk: claim.pk, sk: 'IDEMP' } }),
          )
          return
        }
        const now = Math.floor(Date.now() / 1000)
        const { body, statusCode, headers } = response
        await documentClient().send(
          new PutCommand({
            TableName: claim.table,
            Item: {
              pk: claim.pk,
              sk: 'IDEMP',
              kind: 'idempotency',
              status: 'COMPLETED',
              requestHash: sha256(
                `${methodOf(request.event)}\n${pathOf(request.event)}\n${state(request).rawBody ?? ''}`,
              ),
              response: { statusCode, headers, ...(body !== undefined ? { body } : {}) },
              ttl: now + IDEMPOTENCY_TTL_SECONDS,
            },
          }),
        )
      } catch (err) {
        // The work is done: answer it. A retry finds the claim and gets 409 until the claim lapses.
        config.logger.warn('Could not store the idempotent response', err as Error)
      }
    },
    onError: async (request) => {
      const claim = state(request).idempotency
      if (!claim) return
      state(request).idempotency = undefined
      try {
        await documentClient().send(
          new DeleteCommand({ TableName: claim.table, Key: { pk: claim.pk, sk: 'IDEMP' } }),
        )
      } catch (err) {
        config.logger.warn('Could not release the idempotency record', err as Error)
      }
    },
  }
}

async function existingRecord(
  err: unknown,
  table: string,
  pk: string,
): Promise<IdempotencyRecord | undefined> {
  const item = (err as { Item?: Record<string, unknown> }).Item
  if (item) {
    // The exception carries the raw AttributeValue map (lib-dynamodb does not translate errors).
    const pkValue = item.pk
    return (pkValue && typeof pkValue === 'object' ? unmarshall(item as never) : item) as IdempotencyRecord
  }
  const out = await documentClient().send(
    new GetCommand({ TableName: table, Key: { pk, sk: 'IDEMP' }, ConsistentRead: true }),
  )
  return out.Item as IdempotencyRecord | undefined
}

const requests = new WeakMap<object, HttpRequest<unknown, unknown, unknown>>()

/** Builds the handler's request (before) and turns its HttpResult into the Lambda response (after). */
export function responseMiddleware(logger: Logger): HttpMiddleware {
  return {
    before: (request) => {
      const internal = state(request)
      const req: HttpRequest<unknown, unknown, unknown> = {
        body: internal.body,
        query: internal.query,
        params: internal.params,
        caller: internal.caller,
        headers: internal.headers,
        correlationId: internal.correlationId,
        logger,
        event: request.event,
      }
      if (internal.ifMatch !== undefined) req.ifMatch = internal.ifMatch
      if (internal.idempotencyKey !== undefined) req.idempotencyKey = internal.idempotencyKey
      requests.set(request.event, req)
    },
    after: (request) => {
      const result = request.response as HttpResult | undefined
      if (!result || typeof result.status !== 'number')
        throw new Error('The handler did not return an HttpResult')
      request.response = toLambdaResult(result, state(request).correlationId)
    },
  }
}

function toLambdaResult(result: HttpResult, correlationId: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = {}
  if (result.raw) {
    headers['content-type'] = result.raw.contentType
    if (result.raw.filename !== undefined)
      headers['content-disposition'] = contentDisposition(result.raw.filename)
  } else if (result.body !== undefined) headers['content-type'] = 'application/json'
  if (result.version !== undefined) headers.ETag = `"${result.version}"`
  if (result.location !== undefined) headers.Location = result.location
  Object.assign(headers, result.headers)
  headers['x-correlation-id'] = correlationId
  return {
    statusCode: result.status,
    headers,
    ...(result.raw
      ? { body: result.raw.body }
      : result.body !== undefined
        ? { body: JSON.stringify(result.body) }
        : {}),
  }
}

/**
 * One per service: the factory of its HTTP handlers.
 *
 * @example
 * // services/contacts/src/http.ts
 * export const http = createHttp({ service: 'contacts', table: 'main' })
 *
 * // services/contacts/src/handlers/create-contact.ts
 * export const handler = http({
 *   roles: WRITERS,
 *   body: z.strictObject({ name: z.string().check(z.minLength(1)) }),
 *   async handle({ body, caller, correlationId }) {
 *     const contact = await createContact(caller.tenantId, body, correlationId)
 *     return { status: 201, body: contact, version: contact.version, location: `/contacts/${contact.id}` }
 *   },
 * })
 */
export function createHttp(
  config: HttpConfig,
): <B = undefined, Q = Record<string, string | undefined>, P = Record<string, string>>(
  options: HttpOptions<B, Q, P>,
) => HttpHandler {
  const logger = createLogger(config.service)
  return <B, Q, P>(options: HttpOptions<B, Q, P>): HttpHandler => {
    const base = async (event: APIGatewayProxyEventV2): Promise<unknown> => {
      const req = requests.get(event)
      if (!req) throw new Error('HTTP request state missing')
      requests.delete(event)
      return options.handle(req as HttpRequest<B, Q, P>)
    }
    return middy(base, {
      // Runs even after an early (replayed) response, which skips the after hooks.
      requestEnd: () => logger.removePersistentKeys(['correlationId']),
    })
      .use(correlationMiddleware(logger))
      .use(problemMiddleware(logger))
      .use(authMiddleware(options.roles))
      .use(bodyLimitMiddleware(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES))
      .use(
        validationMiddleware({
          ...(options.body ? { body: options.body } : {}),
          ...(options.query ? { query: options.query } : {}),
          ...(options.params ? { params: options.params } : {}),
        }),
      )
      .use(
        idempotencyMiddleware({
          service: config.service,
          ...(config.table ? { table: config.table } : {}),
          logger,
        }),
      )
      .use(responseMiddleware(logger)) as unknown as HttpHandler
  }
}
