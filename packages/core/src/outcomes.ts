/**
 * Typed outcomes: what stores and domain code throw when a request cannot be done as asked. They
 * say what happened in the domain's words; only core's HTTP layer (`http/problem.ts`) turns them
 * into a status and problem+json, so no store, domain module or subscriber speaks HTTP.
 *
 * | outcome                        | status                                  |
 * | ------------------------------ | --------------------------------------- |
 * | `Invalid(errors)`              | 400, `errors[]` naming each field        |
 * | `Unauthenticated`              | 401                                     |
 * | `NotAllowed`                   | 403                                     |
 * | `NotFound`                     | 404 (also another tenant's record)      |
 * | `Conflict(detail, extra)`      | 409 (services subclass it: EmailTaken)  |
 * | `StaleVersion`                 | 412 with If-Match, else 409             |
 * | `TooLarge(maxBytes)`           | 413                                     |
 * | `UnsupportedMediaType`         | 415                                     |
 * | `Unprocessable`                | 422                                     |
 * | `RateLimited(retryAfter)`      | 429 + Retry-After                       |
 * | `Unavailable(retryAfter)`      | 503 + Retry-After                       |
 * | `TimedOut`                     | 504                                     |
 */
import { type FieldError, isConditionalCheckFailed } from './errors.js'

export type OutcomeKind =
  | 'Invalid'
  | 'Unauthenticated'
  | 'NotAllowed'
  | 'NotFound'
  | 'Conflict'
  | 'StaleVersion'
  | 'TooLarge'
  | 'UnsupportedMediaType'
  | 'NotAcceptable'
  | 'Unprocessable'
  | 'RateLimited'
  | 'Unavailable'
  | 'TimedOut'

// A registered symbol, with `kind`: an outcome thrown by another bundle's copy of core (a service
// bundling its own) still maps, where `instanceof` alone would miss it.
const OUTCOME = Symbol.for('relay.core.outcome')

/** Base of every outcome; subclass one of the concrete outcomes below, not this. */
export abstract class Outcome extends Error {
  abstract readonly kind: OutcomeKind
  /** Extra members for the problem body (e.g. `{ existingId }`); they never replace the standard ones. */
  readonly extra?: Record<string, unknown>
  readonly [OUTCOME] = true

  constructor(detail: string, extra?: Record<string, unknown>) {
    super(detail)
    this.name = new.target.name
    if (extra !== undefined) this.extra = extra
  }
}

/** True for an outcome thrown by any copy of core. */
export function isOutcome(err: unknown): err is Outcome {
  if (err instanceof Outcome) return true
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as Record<symbol, unknown>)[OUTCOME] === true &&
    typeof (err as { kind?: unknown }).kind === 'string'
  )
}

/** The input is invalid: one entry per bad field. */
export class Invalid extends Outcome {
  readonly kind = 'Invalid'
  readonly errors: readonly FieldError[]
  constructor(errors: readonly FieldError[], detail = 'The request is invalid.') {
    super(detail)
    this.errors = errors
  }
}

/** No usable identity (tenant and subject) in the token. */
export class Unauthenticated extends Outcome {
  readonly kind = 'Unauthenticated'
  constructor(detail = 'A valid token with a tenant and a subject is required.') {
    super(detail)
  }
}

/** Authenticated, but this caller may not do this. */
export class NotAllowed extends Outcome {
  readonly kind = 'NotAllowed'
  /** The field the refusal is about, when there is one (ownership rule). */
  readonly errors?: readonly FieldError[]
  constructor(detail = 'Your role does not allow this operation.', errors?: readonly FieldError[]) {
    super(detail)
    if (errors !== undefined) this.errors = errors
  }
}

/** No such record (in the caller's tenant: another tenant's record is not found, never forbidden). */
export class NotFound extends Outcome {
  readonly kind = 'NotFound'
  constructor(detail = 'The resource does not exist.') {
    super(detail)
  }
}

/**
 * The change collides with the current state (a uniqueness guard, a record still in use). Services
 * subclass it to name the case.
 *
 * @example
 * export class EmailTaken extends Conflict {
 *   constructor(existingId: string) { super('A contact with this email exists.', { existingId }) }
 * }
 */
export class Conflict extends Outcome {
  readonly kind = 'Conflict'
}

/** The record changed since the caller read it (a version condition failed). */
export class StaleVersion extends Outcome {
  readonly kind = 'StaleVersion'
  constructor(
    detail = 'It was changed by someone else meanwhile; read it again and retry.',
    extra?: Record<string, unknown>,
  ) {
    super(detail, extra)
  }
}

/** The body is over the route's limit. */
export class TooLarge extends Outcome {
  readonly kind = 'TooLarge'
  readonly maxBytes: number
  constructor(maxBytes: number) {
    super(`The request body is larger than ${maxBytes} bytes.`, { maxBytes })
    this.maxBytes = maxBytes
  }
}

/** The body's media type is not one the route reads. */
export class UnsupportedMediaType extends Outcome {
  readonly kind = 'UnsupportedMediaType'
  constructor(detail = 'The body must be JSON (Content-Type: application/json).') {
    super(detail)
  }
}

/** None of the media types the request accepts (`Accept`) is one the route can answer with. */
export class NotAcceptable extends Outcome {
  readonly kind = 'NotAcceptable'
  constructor(offered: readonly string[]) {
    super(`This resource can be answered as: ${offered.join(', ')}.`, { offered: [...offered] })
  }
}

/** Understood, but cannot be done as asked. */
export class Unprocessable extends Outcome {
  readonly kind = 'Unprocessable'
}

/** Base of the outcomes that tell the client when to retry (`Retry-After`). */
abstract class RetryLater extends Outcome {
  readonly retryAfterSeconds: number
  constructor(retryAfterSeconds: number, detail: string) {
    super(detail)
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds))
  }
}

/** Too many requests: retry after `retryAfterSeconds`. */
export class RateLimited extends RetryLater {
  readonly kind = 'RateLimited'
  constructor(retryAfterSeconds: number, detail = 'Too many requests; retry later.') {
    super(retryAfterSeconds, detail)
  }
}

/** A dependency is throttled or down: retry after `retryAfterSeconds`. */
export class Unavailable extends RetryLater {
  readonly kind = 'Unavailable'
  constructor(retryAfterSeconds: number, detail = 'The service is busy; retry later.') {
    super(retryAfterSeconds, detail)
  }
}

/** The request ran out of time; what it did is safe to retry with the same Idempotency-Key. */
export class TimedOut extends Outcome {
  readonly kind = 'TimedOut'
  constructor(
    detail = 'The request took too long. Retry it (with the same Idempotency-Key, if it had one).',
  ) {
    super(detail)
  }
}

/**
 * Runs a conditional write of a record read at some version. When its condition fails (someone
 * changed or deleted the record between the read and the write), says which: {@link NotFound} if
 * the record is gone, else {@link StaleVersion} (core answers 412 when the request had If-Match,
 * else 409).
 *
 * @example
 * await writeOrExplain(() => store.updateContact(t, id, patch, version), async () => (await store.getContact(t, id)) !== undefined)
 */
export async function writeOrExplain<T>(write: () => Promise<T>, exists: () => Promise<boolean>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    if (!(await exists())) throw new NotFound()
    throw new StaleVersion()
  }
}
