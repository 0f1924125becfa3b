/**
 * Building blocks shared by every contract: text normalisation, problem details, pages and the
 * pagination query. Everything here is `zod/mini` so a Lambda that imports a contract stays small.
 */
import * as z from 'zod/mini'

/** Longest string any contract accepts unless it says otherwise. */
export const MAX_TEXT = 1000

// C0/C1 control characters never belong in a name or label (they break logs, CSV exports and UIs).
const NO_CONTROL_CHARS = /^[^\p{Cc}]*$/u

/**
 * A human-readable name in any script (Thai, Welsh, Arabic, Japanese...): NFC-normalised so the
 * same text typed with combining marks or precomposed characters is stored once, trimmed, inner
 * whitespace runs collapsed to one space, no control characters, 1..`max` characters (after
 * normalisation).
 *
 * @example
 * nameText(100).parse(' Gwy\u0302n ') // 'Gwŷn'
 */
export function nameText(max: number) {
  return z.string().check(
    z.normalize('NFC'),
    z.trim(),
    z.overwrite((s) => s.replace(/\s+/gu, ' ')),
    z.minLength(1),
    z.maxLength(max),
    z.regex(NO_CONTROL_CHARS, 'Must not contain control characters'),
  )
}

/** An email address: trimmed, lower-cased, at most 254 characters (RFC 5321 path limit). */
export const EmailAddress = z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254), z.email())

/** An opaque id minted by the server (ULID, 26 characters; accepted in either case, answered upper-case). */
export const Id = z.string().check(z.toUpperCase(), z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'Must be a ULID'))

/** ISO 8601 UTC timestamp. */
export const Timestamp = z.iso.datetime()

/** One invalid input field of a problem. `field` is a dotted path such as `emails.0.address`. */
export const FieldError = z.object({
  field: z.string(),
  message: z.string(),
  code: z.string(),
})
export type FieldError = z.infer<typeof FieldError>

/** RFC 9457 problem details, as every error response carries them (`application/problem+json`). */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().check(z.minimum(400), z.maximum(599)),
  detail: z.optional(z.string()),
  instance: z.optional(z.string()),
  correlationId: z.optional(z.string()),
  errors: z.optional(z.array(FieldError)),
})
export type Problem = z.infer<typeof Problem>

/** Longest cursor accepted (an encoded LastEvaluatedKey). */
export const MAX_CURSOR = 2048

/** `?limit=&cursor=`: limit 1..100 (default 25 on the server), cursor opaque. Unknown parameters are rejected. */
export const PaginationQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.minimum(1), z.maximum(100), z.multipleOf(1))),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_CURSOR))),
})
export type PaginationQuery = z.infer<typeof PaginationQuery>

/**
 * A page of items: `{ items, nextCursor? }`. `nextCursor` is absent on the last page.
 *
 * @example
 * const ContactPage = page(Contact)
 */
export function page<T extends z.ZodMiniType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.optional(z.string()) })
}

/** The TypeScript shape of a page. */
export interface Page<T> {
  items: T[]
  nextCursor?: string
}
