import type { Logger } from '../log.js'
import {
  assertOption,
  type HttpInternal,
  type HttpMiddleware,
  type HttpRequest,
  type HttpResult,
  type LambdaResult,
  state,
} from './types.js'

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

/** The Lambda response of a handler's result: JSON (or the raw body), ETag, Location, correlation id. */
export function toLambdaResult(result: HttpResult, correlationId: string): LambdaResult {
  if (!result || typeof result.status !== 'number')
    throw new Error('The handler did not return an HttpResult')
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
      ? { body: result.raw.body, ...(result.raw.base64 ? { isBase64Encoded: true } : {}) }
      : result.body !== undefined
        ? { body: JSON.stringify(result.body) }
        : {}),
  }
}

/** The request a handler receives, from the state the earlier steps left. */
export function handlerRequest(
  internal: ReturnType<typeof state>,
  event: HttpRequest<unknown, unknown, unknown>['event'],
  logger: Logger,
): HttpRequest<unknown, unknown, unknown> {
  const req: HttpRequest<unknown, unknown, unknown> = {
    body: internal.body,
    query: internal.query ?? {},
    params: internal.params ?? {},
    caller: internal.caller,
    headers: internal.headers,
    correlationId: internal.correlationId,
    logger,
    event,
  }
  if (internal.ifMatch !== undefined) req.ifMatch = internal.ifMatch
  if (internal.idempotencyKey !== undefined) req.idempotencyKey = internal.idempotencyKey
  return req
}

// The base handler only sees (event, context): the request's private event copy carries its state
// to it under a registered symbol, never shared with another invocation.
const STATE = Symbol.for('relay.core.http.state')

/** The state `respond` handed to the base handler with its event. */
export function stateOfEvent(event: object): HttpInternal | undefined {
  return (event as { [STATE]?: HttpInternal })[STATE]
}

/**
 * Hands the request to the handler (before) and turns its HttpResult into the Lambda response
 * (after): the innermost step.
 */
export function respond(options: { logger: Logger }): HttpMiddleware {
  assertOption(typeof options?.logger?.info === 'function', 'respond', 'logger is required')
  return {
    before: (request) => {
      const event = { ...request.event }
      Object.defineProperty(event, STATE, { value: state(request), enumerable: false })
      request.event = event
    },
    after: (request) => {
      request.response = toLambdaResult(request.response as HttpResult, state(request).correlationId)
    },
  }
}
