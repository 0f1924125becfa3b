/** One invalid input field. `field` is a dotted path: `emails.0.address`, `body`, `query.limit`, `params.id`. */
export interface FieldError {
  field: string
  message: string
  code: string
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

/** The standard reason phrase of an HTTP status (RFC 9110), or `Error`. */
export function statusTitle(status: number): string {
  return TITLES[status] ?? 'Error'
}

/**
 * True for a failed condition: `ConditionalCheckFailedException`, or a `TransactionCanceledException`
 * one of whose cancellation reasons is `ConditionalCheckFailed`.
 */
export function isConditionalCheckFailed(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false
  const name = (err as { name?: unknown }).name
  if (name === 'ConditionalCheckFailedException') return true
  if (name === 'TransactionCanceledException') {
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons
    return Array.isArray(reasons) && reasons.some((r) => r?.Code === 'ConditionalCheckFailed')
  }
  return false
}

/** SDK error names of throttling, across DynamoDB, EventBridge, SES, S3 and SQS. */
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'TransactionConflictException',
  'TransactionInProgressException',
])

/** SDK error names (and Node socket codes) of a dependency that is down, overloaded or unreachable. */
const UNAVAILABLE = new Set([
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalException',
  'InternalServerException',
  'InternalFailure',
  'InternalError',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Cancellation reasons of a transaction that a retry can get through. */
const TRANSIENT_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict'])

/** Seconds a client should wait before retrying a throttled call, and an unavailable one. */
export const RETRY_AFTER_THROTTLED_SECONDS = 1
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5

/**
 * When `err` says an AWS dependency (DynamoDB, EventBridge, SES, S3, SQS) is throttled or
 * unavailable, the seconds to wait before a retry; else undefined. Reads the SDK's error name, the
 * socket error code (also of the error's `cause` and of an `AggregateError`'s members), the HTTP
 * status in `$metadata` (429, 5xx) and the cancellation reasons of a transaction.
 */
export function transientRetryAfter(err: unknown, depth = 0): number | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined
  const e = err as {
    name?: unknown
    code?: unknown
    $metadata?: { httpStatusCode?: unknown }
    $retryable?: { throttling?: boolean }
    CancellationReasons?: { Code?: string }[]
    cause?: unknown
    errors?: unknown
    message?: unknown
  }
  const names = [e.name, e.code].filter((n): n is string => typeof n === 'string')
  if (names.some((n) => THROTTLED.has(n)) || e.$retryable?.throttling) return RETRY_AFTER_THROTTLED_SECONDS
  if (names.some((n) => UNAVAILABLE.has(n))) return RETRY_AFTER_UNAVAILABLE_SECONDS
  if (e.name === 'TransactionCanceledException' && Array.isArray(e.CancellationReasons)) {
    const codes = e.CancellationReasons.map((r) => r?.Code)
    // A failed condition is an answer, not a hiccup: it must not be retried as one.
    if (!codes.includes('ConditionalCheckFailed') && codes.some((c) => c && TRANSIENT_REASONS.has(c)))
      return RETRY_AFTER_THROTTLED_SECONDS
  }
  const status = e.$metadata?.httpStatusCode
  if (typeof status === 'number') {
    if (status === 429) return RETRY_AFTER_THROTTLED_SECONDS
    if (status >= 500) return RETRY_AFTER_UNAVAILABLE_SECONDS
  }
  if (typeof e.message === 'string' && /socket hang up|connect ECONNREFUSED/i.test(e.message))
    return RETRY_AFTER_UNAVAILABLE_SECONDS
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const found = transientRetryAfter(inner, depth + 1)
      if (found !== undefined) return found
    }
  }
  return transientRetryAfter(e.cause, depth + 1)
}
