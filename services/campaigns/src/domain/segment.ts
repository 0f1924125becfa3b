/**
 * Segment evaluation, pure: does one audience record match a segment's rule tree at a moment?
 * No AWS, no I/O; the store feeds it every record of the tenant's audience.
 *
 * Text compares folded (case, accents and width ignored: "ÉLODIE" matches "elodie"), tags too.
 * A condition on a field the contact lacks is false, except `neq`, `notExists` and `hasNone` (the
 * contact has no such value), so `not` of a condition and its opposite operator agree.
 */
import type {
  CustomFieldCondition,
  EngagementCondition,
  FieldCondition,
  SegmentRule,
} from '@relay/contracts/campaigns'
import type { AudienceRecord } from './audience.js'

const DAY_MS = 86_400_000

/** Case-, accent- and width-insensitive form of a text. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim()
}

type TextOp = FieldCondition['op']

/** A text operator over a value that may be absent. */
function compareText(actual: string | undefined, op: TextOp, value?: string, values?: readonly string[]) {
  if (op === 'exists') return actual !== undefined && actual !== ''
  if (op === 'notExists') return actual === undefined || actual === ''
  if (actual === undefined) return op === 'neq'
  const a = fold(actual)
  switch (op) {
    case 'eq':
      return a === fold(value ?? '')
    case 'neq':
      return a !== fold(value ?? '')
    case 'contains':
      return a.includes(fold(value ?? ''))
    case 'startsWith':
      return a.startsWith(fold(value ?? ''))
    case 'endsWith':
      return a.endsWith(fold(value ?? ''))
    case 'in':
      return (values ?? []).some((v) => fold(v) === a)
  }
}

/** A number, or an ISO date as its epoch milliseconds, for the ordering operators. */
function ordinal(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v)
    if (Number.isFinite(n)) return n
    if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
      const t = Date.parse(v)
      if (Number.isFinite(t)) return t
    }
  }
  return undefined
}

const asText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined

function customField(rec: AudienceRecord, c: CustomFieldCondition): boolean {
  const actual = rec.customFields?.[c.key]
  const present = actual !== undefined && actual !== null && actual !== ''
  if (c.op === 'exists') return present && !(Array.isArray(actual) && actual.length === 0)
  if (c.op === 'notExists') return !present || (Array.isArray(actual) && actual.length === 0)
  if (!present) return c.op === 'neq'
  if (c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte') {
    const a = ordinal(actual)
    const b = ordinal(c.value)
    if (a === undefined || b === undefined) return false
    return c.op === 'gt' ? a > b : c.op === 'gte' ? a >= b : c.op === 'lt' ? a < b : a <= b
  }
  // A multiselect holds several values: eq/contains/in ask about any one of them, neq about none.
  const list = Array.isArray(actual) ? actual.map(asText).filter((x) => x !== undefined) : [asText(actual)]
  const value = c.value === undefined ? undefined : String(c.value)
  if (c.op === 'neq') return list.every((a) => compareText(a, 'neq', value))
  return list.some((a) => compareText(a, c.op as TextOp, value, c.values))
}

function field(rec: AudienceRecord, c: FieldCondition): boolean {
  return compareText(rec[c.field], c.op, c.value, c.values)
}

function engagement(rec: AudienceRecord, c: EngagementCondition, nowMs: number): boolean {
  const at = rec.engagement[c.event]
  const t = at ? Date.parse(at) : Number.NaN
  const within = Number.isFinite(t) && t >= nowMs - c.days * DAY_MS
  return c.op === 'within' ? within : !within
}

/**
 * Whether `rec` matches `rule` at `nowMs` (engagement windows end then).
 *
 * @example
 * matches({ type: 'tag', op: 'hasAny', values: ['VIP'] }, { ...rec, tags: ['vip'] }, Date.now()) // true
 */
export function matches(rule: SegmentRule, rec: AudienceRecord, nowMs: number): boolean {
  switch (rule.type) {
    case 'and':
      return rule.rules.every((r) => matches(r, rec, nowMs))
    case 'or':
      return rule.rules.some((r) => matches(r, rec, nowMs))
    case 'not':
      return !matches(rule.rule, rec, nowMs)
    case 'field':
      return field(rec, rule)
    case 'tag': {
      const tags = new Set(rec.tags.map(fold))
      const wanted = rule.values.map(fold)
      if (rule.op === 'hasAny') return wanted.some((t) => tags.has(t))
      if (rule.op === 'hasAll') return wanted.every((t) => tags.has(t))
      return !wanted.some((t) => tags.has(t))
    }
    case 'consent': {
      const status = rec.consent[rule.channel]
      return rule.status === 'none' ? status === undefined : status === rule.status
    }
    case 'lifecycle': {
      const hit = rec.lifecycleStage !== undefined && rule.values.includes(rec.lifecycleStage as never)
      return rule.op === 'in' ? hit : !hit
    }
    case 'tier': {
      const hit = rec.tier !== undefined && rule.values.includes(rec.tier as never)
      return rule.op === 'in' ? hit : !hit
    }
    case 'engagement':
      return engagement(rec, rule, nowMs)
    case 'custom':
      return customField(rec, rule)
  }
}

/**
 * A rule compiled once for many records: the tag sets and folded values are made once, not per
 * record (a preview evaluates the same tree 100 000 times).
 */
export function compile(rule: SegmentRule): (rec: AudienceRecord, nowMs: number) => boolean {
  switch (rule.type) {
    case 'and': {
      const parts = rule.rules.map(compile)
      return (rec, now) => parts.every((p) => p(rec, now))
    }
    case 'or': {
      const parts = rule.rules.map(compile)
      return (rec, now) => parts.some((p) => p(rec, now))
    }
    case 'not': {
      const inner = compile(rule.rule)
      return (rec, now) => !inner(rec, now)
    }
    case 'tag': {
      const wanted = rule.values.map(fold)
      return (rec) => {
        const tags = rec.tags.map(fold)
        if (rule.op === 'hasAny') return wanted.some((t) => tags.includes(t))
        if (rule.op === 'hasAll') return wanted.every((t) => tags.includes(t))
        return !wanted.some((t) => tags.includes(t))
      }
    }
    default:
      return (rec, now) => matches(rule, rec, now)
  }
}
