/**
 * The one place that turns what went wrong into an HTTP answer: a typed outcome, a failed
 * condition nobody explained, a throttled or unavailable dependency, or anything else. Every
 * answer is `application/problem+json` (RFC 9457), never `{ message }`.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import {
  type FieldError,
  isConditionalCheckFailed,
  RETRY_AFTER_UNAVAILABLE_SECONDS,
  statusTitle,
  transientRetryAfter,
} from '../errors.js'
import type { Logger } from '../log.js'
import { isOutcome, type Outcome, type OutcomeKind } from '../outcomes.js'
import { assertOption, type HttpMiddleware, pathOf, state } from './types.js'

/** What a problem+json body says, before rendering. */
export interface ProblemDetails {
  status: number
  detail: string
  title?: string
  errors?: readonly FieldError[]
  /** Extra members; they never replace the standard ones. */
  extra?: Record<string, unknown>
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number
}

const STATUS: Record<Exclude<OutcomeKind, 'StaleVersion'>, number> = {
  Invalid: 400,
  Unauthenticated: 401,
  NotAllowed: 403,
  NotFound: 404,
  Conflict: 409,
  TooLarge: 413,
  UnsupportedMediaType: 415,
  NotAcceptable: 406,
  Unprocessable: 422,
  RateLimited: 429,
  Unavailable: 503,
  TimedOut: 504,
}

function ofOutcome(outcome: Outcome, hadIfMatch: boolean): ProblemDetails {
  const o = outcome as Outcome & {
    errors?: readonly FieldError[]
    retryAfterSeconds?: number
  }
  const status =
    o.kind === 'StaleVersion' ? (hadIfMatch ? 412 : 409) : (STATUS[o.kind as keyof typeof STATUS] ?? 500)
  const details: ProblemDetails = {
    status,
    detail:
      o.kind === 'StaleVersion' && hadIfMatch
        ? 'The resource was changed since it was read (If-Match does not match).'
        : o.message,
  }
  if (o.errors?.length) details.errors = o.errors
  if (o.extra) details.extra = o.extra
  if (typeof o.retryAfterSeconds === 'number') details.retryAfterSeconds = o.retryAfterSeconds
  return details
}

/**
 * The problem of any thrown value. `hadIfMatch`: whether the request carried `If-Match` (a stale
 * version is then 412, else 409). `unexpected` is true for a 500 (worth an error log line).
 */
export function problemOf(err: unknown, hadIfMatch: boolean): ProblemDetails & { unexpected?: true } {
  if (isOutcome(err)) return ofOutcome(err, hadIfMatch)
  if (isConditionalCheckFailed(err)) {
    return hadIfMatch
      ? { status: 412, detail: 'The resource was changed since it was read (If-Match does not match).' }
      : { status: 409, detail: 'The resource was changed or already exists.' }
  }
  const retryAfter = transientRetryAfter(err)
  if (retryAfter !== undefined) {
    return {
      status: 503,
      detail: 'A service this request depends on is busy or unavailable; retry later.',
      retryAfterSeconds: retryAfter,
    }
  }
  return {
    status: 500,
    detail: 'An unexpected error occurred. Quote the correlationId when reporting it.',
    unexpected: true,
  }
}

/**
 * The problem+json body (RFC 9457): `type` is `about:blank` (the title is then the status phrase);
 * `instance`, `correlationId`, `errors` and `extra` members are added when present. The local
 * gateway builds its own answers with it too, so a client parses one format whoever answered.
 */
export function problemBody(
  details: ProblemDetails,
  instance?: string,
  correlationId?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title: details.title ?? statusTitle(details.status),
    status: details.status,
    detail: details.detail,
  }
  if (instance !== undefined) body.instance = instance
  if (correlationId !== undefined) body.correlationId = correlationId
  if (details.errors?.length) body.errors = details.errors
  if (details.extra) {
    for (const [k, v] of Object.entries(details.extra)) if (!(k in body)) body[k] = v
  }
  return body
}

/** The `application/problem+json` response of {@link problemBody}, with `Retry-After` when known. */
export function problemResponse(
  details: ProblemDetails,
  instance: string,
  correlationId: string,
): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = {
    'content-type': 'application/problem+json',
    'x-correlation-id': correlationId,
  }
  if (details.retryAfterSeconds !== undefined) headers['retry-after'] = String(details.retryAfterSeconds)
  else if (details.status === 503) headers['retry-after'] = String(RETRY_AFTER_UNAVAILABLE_SECONDS)
  return {
    statusCode: details.status,
    headers,
    body: JSON.stringify(problemBody(details, instance, correlationId)),
  }
}

/**
 * Turns any error into its problem+json answer (the outermost error step). A 500 logs the error;
 * the body never carries a stack or an internal message.
 */
export function problems(options: { logger: Logger }): HttpMiddleware {
  assertOption(typeof options?.logger?.error === 'function', 'problems', 'logger is required')
  const { logger } = options
  return {
    onError: (request) => {
      const internal = state(request)
      const correlationId = internal.correlationId ?? request.event.requestContext?.requestId ?? 'unknown'
      const details = problemOf(request.error, internal.headers?.['if-match'] !== undefined)
      if (details.unexpected) logger.error('Unhandled error', request.error as Error)
      else if (details.status >= 500)
        logger.warn('Request failed', { status: details.status, error: request.error as Error })
      else logger.info('Request failed', { status: details.status, detail: details.detail })
      const { unexpected: _u, ...rest } = details
      // Not returned: returning would skip the outer onError hooks.
      request.response = problemResponse(rest, pathOf(request.event), correlationId)
    },
  }
}
