/**
 * Validation of what the route declares: the body, query and path parameters against its zod
 * schemas, and the standard headers (`If-Match`, `Idempotency-Key`). Every problem is reported at
 * once, each naming its field.
 */
import type { ZodMiniType } from 'zod/mini'
import type { FieldError } from '../errors.js'
import { Invalid } from '../outcomes.js'
import { issueMessage, zodIssuesToFieldErrors } from '../validation.js'
import { hasLoneSurrogate } from './parse.js'
import { type HttpMiddleware, state } from './types.js'

/** Longest accepted `Idempotency-Key`. */
export const IDEMPOTENCY_KEY_MAX = 255

/**
 * The version an `If-Match` header names: `"3"`, `W/"3"` (and a bare `3`). `*` or no header →
 * undefined. Anything else (lists, non-numbers) → {@link Invalid} on field `headers.if-match`.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined
  const value = header.trim()
  if (value === '*') return undefined
  const m = /^(?:W\/)?"(\d{1,15})"$|^(\d{1,15})$/.exec(value)
  const digits = m?.[1] ?? m?.[2]
  if (digits === undefined) {
    throw new Invalid([
      {
        field: 'headers.if-match',
        code: 'invalid_if_match',
        message: 'If-Match must be one ETag such as "3"',
      },
    ])
  }
  return Number(digits)
}

interface ObjectDef {
  shape?: Record<string, unknown>
  catchall?: unknown
}

/**
 * Query parameters the schema does not name. A strict object refuses them itself; a plain
 * `z.object` would drop them silently, so they are refused here, the same on every route. A
 * schema that is not an object (or a loose one) decides alone.
 */
function unknownKeys(
  schema: ZodMiniType | undefined,
  input: Record<string, unknown>,
  prefix: string,
): FieldError[] {
  let known: Set<string> | undefined
  if (schema) {
    const def = (schema as unknown as { _zod?: { def?: ObjectDef } })._zod?.def
    if (!def?.shape || def.catchall !== undefined) return []
    known = new Set(Object.keys(def.shape))
  }
  return Object.keys(input)
    .filter((k) => !known?.has(k))
    .map((k) => ({ field: `${prefix}.${k}`, code: 'unrecognized_keys', message: `Unknown parameter '${k}'` }))
}

function surrogateProblems(input: Record<string, string | undefined>, prefix: string): FieldError[] {
  return Object.entries(input)
    .filter(([k, v]) => hasLoneSurrogate(k) || (v !== undefined && hasLoneSurrogate(v)))
    .map(([k]) => ({
      field: `${prefix}.${k}`,
      code: 'invalid_unicode',
      message: 'Contains a lone surrogate (not valid Unicode)',
    }))
}

function check(
  schema: ZodMiniType,
  input: unknown,
  prefix: string,
  errors: FieldError[],
): { ok: true; data: unknown } | { ok: false } {
  const result = schema.safeParse(input, { error: issueMessage })
  if (result.success) return { ok: true, data: result.data }
  errors.push(...zodIssuesToFieldErrors(result.error.issues, prefix, prefix || 'body'))
  return { ok: false }
}

/** The names of a path's `{name}` segments (`{proxy+}` → `proxy`). */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] as string)
}

export interface ValidateOptions {
  /** Schema of the JSON body; without one the route reads no body. */
  body?: ZodMiniType
  /** Schema of the query string; without one any query parameter is refused. */
  query?: ZodMiniType
  /** Schema of the path parameters; without one each of `paramNames` must be a non-empty string. */
  params?: ZodMiniType
  /** The route's `{name}` segments. */
  paramNames?: readonly string[]
}

/** Validates headers, body, query and params; the results land in `internal` for the handler. */
export function validate(options: ValidateOptions = {}): HttpMiddleware {
  const { body, query, params, paramNames = [] } = options
  return {
    before: (request) => {
      const internal = state(request)
      const errors: FieldError[] = []
      try {
        const ifMatch = parseIfMatch(internal.headers['if-match'])
        if (ifMatch !== undefined) internal.ifMatch = ifMatch
      } catch (err) {
        errors.push(...(err as Invalid).errors)
      }
      const key = internal.headers['idempotency-key']
      if (key !== undefined) {
        if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || hasLoneSurrogate(key)) {
          errors.push({
            field: 'headers.idempotency-key',
            code: 'invalid_idempotency_key',
            message: `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`,
          })
        } else internal.idempotencyKey = key
      }

      if (body) {
        const out = check(body, internal.json, '', errors)
        if (out.ok) internal.body = out.data
      }

      const queryInput = request.event.queryStringParameters ?? {}
      const queryErrors = [
        ...surrogateProblems(queryInput, 'query'),
        ...unknownKeys(query, queryInput, 'query'),
      ]
      errors.push(...queryErrors)
      if (query) {
        const out = check(query, queryInput, 'query', errors)
        if (out.ok) internal.query = out.data
      } else internal.query = {}

      const paramInput = request.event.pathParameters ?? {}
      const paramErrors = surrogateProblems(paramInput, 'params')
      errors.push(...paramErrors)
      if (params) {
        const out = check(params, paramInput, 'params', errors)
        if (out.ok) internal.params = out.data
      } else {
        for (const name of paramNames) {
          const value = paramInput[name]
          if (value === undefined || value === '')
            errors.push({ field: `params.${name}`, code: 'invalid_type', message: 'Required' })
        }
        internal.params = paramInput
      }

      if (errors.length) throw new Invalid(dedupe(errors))
    },
  }
}

function dedupe(errors: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>()
  return errors.filter((e) => {
    const key = `${e.field}\u0000${e.code}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
