/**
 * English messages and field paths for zod issues. zod/mini ships no locale (that keeps it small),
 * so messages are built here per issue code.
 */
import type { $ZodIssue, $ZodRawIssue } from 'zod/v4/core'
import type { FieldError } from './errors.js'

function received(input: unknown): string {
  if (input === null) return 'null'
  if (Array.isArray(input)) return 'array'
  if (typeof input === 'number' && Number.isNaN(input)) return 'NaN'
  return typeof input
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function bound(
  origin: string,
  value: number | bigint,
  inclusive: boolean | undefined,
  small: boolean,
): string {
  const n = Number(value)
  // Exclusive bounds of counts are stated as the inclusive count a reader expects.
  const count = inclusive === false ? (small ? n + 1 : n - 1) : n
  switch (origin) {
    case 'string':
      return small
        ? `Must be at least ${plural(count, 'character')}`
        : `Must be at most ${plural(count, 'character')}`
    case 'array':
    case 'set':
      return small
        ? `Must have at least ${plural(count, 'item')}`
        : `Must have at most ${plural(count, 'item')}`
    case 'date':
      return small
        ? `Must be on or after ${new Date(n).toISOString()}`
        : `Must be on or before ${new Date(n).toISOString()}`
    default:
      if (small) return inclusive === false ? `Must be greater than ${value}` : `Must be at least ${value}`
      return inclusive === false ? `Must be less than ${value}` : `Must be at most ${value}`
  }
}

const FORMATS: Record<string, string> = {
  email: 'Must be a valid email address',
  url: 'Must be a valid URL',
  uuid: 'Must be a UUID',
  ulid: 'Must be a ULID',
  datetime: 'Must be an ISO 8601 date-time',
  date: 'Must be an ISO 8601 date (YYYY-MM-DD)',
  time: 'Must be an ISO 8601 time',
  e164: 'Must be a phone number in E.164 form (+14155550123)',
  regex: 'Does not have the required format',
}

/**
 * A clear English message for one zod issue. Pass as `safeParse(data, { error: issueMessage })`:
 * a message a schema sets itself still wins.
 */
export function issueMessage(issue: $ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'Required'
        : `Expected ${issue.expected}, received ${received(issue.input)}`
    case 'too_small':
      return bound(String(issue.origin), issue.minimum, issue.inclusive, true)
    case 'too_big':
      return bound(String(issue.origin), issue.maximum, issue.inclusive, false)
    case 'invalid_format': {
      const f = issue as unknown as { format: string; prefix?: string; suffix?: string; includes?: string }
      if (f.format === 'starts_with') return `Must start with "${f.prefix}"`
      if (f.format === 'ends_with') return `Must end with "${f.suffix}"`
      if (f.format === 'includes') return `Must include "${f.includes}"`
      return FORMATS[f.format] ?? `Must be a valid ${f.format}`
    }
    case 'not_multiple_of':
      return `Must be a multiple of ${issue.divisor}`
    case 'unrecognized_keys':
      return issue.keys.length === 1
        ? `Unknown field '${issue.keys[0]}'`
        : `Unknown fields: ${issue.keys.join(', ')}`
    case 'invalid_union':
      return 'Does not match any of the allowed forms'
    case 'invalid_key':
      return 'Has an invalid key'
    case 'invalid_element':
      return 'Has an invalid element'
    case 'invalid_value':
      return issue.values.length === 1
        ? `Must be ${JSON.stringify(issue.values[0])}`
        : `Must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return 'Invalid value'
  }
}

/**
 * Field errors of zod issues. `prefix` is prepended to each path (`''` for the body, `query`,
 * `params`); an issue at the root is reported on `root`. Each unknown key of a strict object
 * becomes its own error on that key's path.
 */
export function zodIssuesToFieldErrors(
  issues: readonly $ZodIssue[],
  prefix: string,
  root: string,
): FieldError[] {
  const out: FieldError[] = []
  const join = (path: readonly PropertyKey[]) => {
    const parts = [prefix, ...path.map(String)].filter((p) => p !== '')
    return parts.length ? parts.join('.') : root
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          field: join([...issue.path, key]),
          code: 'unrecognized_keys',
          message: `Unknown field '${key}'`,
        })
      }
    } else {
      out.push({ field: join(issue.path), code: issue.code, message: issue.message })
    }
  }
  return out
}
