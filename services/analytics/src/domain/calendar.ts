/**
 * Reporting days, pure. A tenant reports in its own time zone: an event belongs to the calendar day
 * its instant falls on there (`2026-03-01T23:30Z` is 2 March in Bangkok). Days are `YYYY-MM-DD`
 * strings, so they sort and compare as text, and day arithmetic happens on UTC dates (a calendar day
 * has no time zone once it is named).
 */

/** Day key of the lifetime totals: sorts after every `YYYY-MM-DD`. */
export const LIFETIME = '~'

const formatters = new Map<string, Intl.DateTimeFormat>()

/** True when `zone` is an IANA time zone this runtime knows (`Asia/Bangkok`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone)
  if (!f) {
    // en-CA formats dates as YYYY-MM-DD.
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    })
    formatters.set(zone, f)
  }
  return f
}

/** The tenant-local day of an instant. */
export function localDay(instant: string | Date, zone: string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not an instant: ${String(instant)}`)
  return formatter(zone).format(date)
}

const toDate = (day: string) => new Date(`${day}T00:00:00.000Z`)
const fromDate = (d: Date) => d.toISOString().slice(0, 10)

/** `day` moved by `n` days. */
export function addDays(day: string, n: number): string {
  const d = toDate(day)
  d.setUTCDate(d.getUTCDate() + n)
  return fromDate(d)
}

/** Days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toDate(to).getTime() - toDate(from).getTime()) / 86_400_000) + 1
}

/** The same calendar date a year earlier (29 February → 28 February). */
export function yearEarlier(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const last = new Date(Date.UTC(y - 1, m, 0)).getUTCDate()
  return `${String(y - 1).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`
}

export type Compare = 'previous_period' | 'previous_year'

/** The comparison range of `[from, to]`: as many days just before it, or the same dates a year earlier. */
export function comparisonRange(from: string, to: string, compare: Compare): { from: string; to: string } {
  if (compare === 'previous_year') return { from: yearEarlier(from), to: yearEarlier(to) }
  const length = daysBetween(from, to)
  return { from: addDays(from, -length), to: addDays(from, -1) }
}

export type Interval = 'day' | 'week' | 'month'

/** The bucket a day falls in: itself, the Monday of its ISO week, or `YYYY-MM`. */
export function bucketOf(day: string, interval: Interval): string {
  if (interval === 'day') return day
  if (interval === 'month') return day.slice(0, 7)
  const weekday = (toDate(day).getUTCDay() + 6) % 7 // Monday = 0
  return addDays(day, -weekday)
}

/** Every bucket of `[from, to]` in order, each with the last day it covers (clipped to `to`). */
export function buckets(from: string, to: string, interval: Interval): { key: string; lastDay: string }[] {
  const out: { key: string; lastDay: string }[] = []
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const key = bucketOf(day, interval)
    const last = out.at(-1)
    if (last?.key === key) last.lastDay = day
    else out.push({ key, lastDay: day })
  }
  return out
}
