import { monotonicFactory } from 'ulid'

// Monotonic so ids minted in the same millisecond still sort in creation order.
const ulid = monotonicFactory()

/**
 * A new time-sortable id (ULID, 26 chars, Crockford base32).
 *
 * @example
 * const id = newId() // '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
 */
export function newId(): string {
  return ulid()
}

/** Current time as ISO 8601 UTC with milliseconds, e.g. `2025-01-31T12:00:00.000Z`. */
export function nowIso(): string {
  return new Date().toISOString()
}
