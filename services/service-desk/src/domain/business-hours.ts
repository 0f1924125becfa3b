/**
 * The business-hours clock: how much of a span of time a support team was open, and when N minutes
 * of open time after an instant run out. Pure (no AWS, no clock of its own).
 *
 * | input                 | meaning                                                                  |
 * | --------------------- | ------------------------------------------------------------------------ |
 * | `timeZone`            | IANA zone of the team (`Europe/London`); open hours are local wall times  |
 * | `hours[mon..sun]`     | open windows of each weekday, `HH:MM`-`HH:MM`, end ≤ `24:00`, no overlap  |
 * | `holidays`            | local dates (`YYYY-MM-DD`) closed all day                                 |
 * | `pauses`              | spans of real time that do not count (a ticket pending on the customer)   |
 *
 * Why no Temporal and no library: each local day's windows are turned into UTC instants with the
 * zone's offset as `Intl.DateTimeFormat` reports it for that instant, so the arithmetic is in real
 * elapsed time. A window crossing a daylight-saving change is 1 h shorter or longer in real time,
 * as the team's wall clock says. A wall time that does not exist (spring-forward gap) maps to the
 * instant just after the gap, a repeated one (fall-back) to its first occurrence: Temporal's
 * `compatible` disambiguation, which is what a person reading the wall clock means.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

/** One open window of a weekday in local wall time; `end` may be `24:00`. */
export interface OpenWindow {
  start: string
  end: string
}

export interface BusinessCalendar {
  timeZone: string
  hours: Partial<Record<Weekday, readonly OpenWindow[]>>
  /** Local dates closed all day. */
  holidays?: readonly string[]
}

/** A span of real time that does not count; without `to` it has not ended. */
export interface Pause {
  from: string
  to?: string | undefined
}

/** Round the clock, every day: for policies measured in calendar time. */
export const ALWAYS_OPEN: BusinessCalendar = {
  timeZone: 'UTC',
  hours: Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]])),
}

/** How far ahead `addBusinessMinutes` looks for open time before giving up (a calendar always closed). */
export const MAX_DAYS_AHEAD = 1_100

const MINUTE = 60_000
const DAY = 86_400_000
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** The zone's wall clock at `ms`, as if it were UTC (ms), floored to the second. */
function wallClock(timeZone: string, ms: number): number {
  const p: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value)
  }
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
}

/** UTC offset of `timeZone` at instant `ms`, in ms (east positive). */
export function offsetAt(timeZone: string, ms: number): number {
  return wallClock(timeZone, ms) - Math.floor(ms / 1000) * 1000
}

/**
 * The instant of local wall time `wall` (ms since epoch as if the wall clock were UTC), with
 * Temporal's `compatible` disambiguation: a repeated time → the earlier instant, a skipped time →
 * shifted forward by the gap.
 */
export function wallToInstant(timeZone: string, wall: number): number {
  const before = offsetAt(timeZone, wall - DAY)
  const after = offsetAt(timeZone, wall + DAY)
  const candidates = [...new Set([before, after])]
    .map((o) => wall - o)
    .filter((t) => offsetAt(timeZone, t) === wall - t)
    .sort((a, b) => a - b)
  // No candidate: the wall time fell in a gap; the offset in force before it lands after the gap.
  return candidates[0] ?? wall - before
}

/** Minutes since midnight of `HH:MM` (`24:00` → 1440). */
function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
}

/** Local civil day as UTC-midnight ms (a calendar date, not an instant). */
type CivilDay = number

function civilDayOf(timeZone: string, ms: number): CivilDay {
  const wall = wallClock(timeZone, ms)
  return wall - (((wall % DAY) + DAY) % DAY)
}

const isoDate = (day: CivilDay) => new Date(day).toISOString().slice(0, 10)

interface Prepared {
  timeZone: string
  windows: readonly (readonly [number, number])[][]
  holidays: ReadonlySet<string>
}

const prepared = new WeakMap<BusinessCalendar, Prepared>()

function prepare(cal: BusinessCalendar): Prepared {
  let p = prepared.get(cal)
  if (!p) {
    const problems = calendarProblems(cal)
    if (problems.length) throw new RangeError(`Invalid business calendar: ${problems[0]?.message}`)
    p = {
      timeZone: cal.timeZone,
      windows: WEEKDAYS.map((d) =>
        (cal.hours[d] ?? [])
          .map((w) => [minutesOf(w.start), minutesOf(w.end)] as const)
          .sort((a, b) => a[0] - b[0]),
      ),
      holidays: new Set(cal.holidays ?? []),
    }
    prepared.set(cal, p)
  }
  return p
}

/** The open spans of one local day, as UTC instants [from, to), in order. */
function openSpans(p: Prepared, day: CivilDay): [number, number][] {
  if (p.holidays.has(isoDate(day))) return []
  const windows = p.windows[new Date(day).getUTCDay()] ?? []
  return windows
    .map(([s, e]): [number, number] => [
      wallToInstant(p.timeZone, day + s * MINUTE),
      wallToInstant(p.timeZone, day + e * MINUTE),
    ])
    .filter(([a, b]) => b > a)
}

type Span = readonly [number, number]

/** Pauses as sorted, merged [from, to) spans (an open pause runs to +∞). */
function pauseSpans(pauses: readonly Pause[]): Span[] {
  const spans = pauses
    .map(
      (p) => [Date.parse(p.from), p.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(p.to)] as const,
    )
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0])
  const merged: [number, number][] = []
  for (const [a, b] of spans) {
    const last = merged[merged.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  return merged
}

/** `span` minus the pauses, in order. */
function minus(span: Span, pauses: readonly Span[]): Span[] {
  let pieces: Span[] = [span]
  for (const [pa, pb] of pauses) {
    if (pb <= span[0] || pa >= span[1]) continue
    pieces = pieces.flatMap(([a, b]) => {
      const out: Span[] = []
      if (pa > a) out.push([a, Math.min(b, pa)])
      if (pb < b) out.push([Math.max(a, pb), b])
      return out.filter(([x, y]) => y > x)
    })
  }
  return pieces
}

/**
 * The instant at which `minutes` of open time after `start` have passed (pauses not counted), in
 * ms; undefined if that never comes (an open pause, or no open hour in {@link MAX_DAYS_AHEAD} days).
 * Starting outside open hours, the count begins at the next opening.
 */
export function addBusinessMs(
  cal: BusinessCalendar,
  start: number,
  amountMs: number,
  pauses: readonly Pause[] = [],
): number | undefined {
  const p = prepare(cal)
  const stops = pauseSpans(pauses)
  let remaining = amountMs
  let day = civilDayOf(p.timeZone, start)
  for (let i = 0; i < MAX_DAYS_AHEAD; i++, day += DAY) {
    for (const span of openSpans(p, day)) {
      for (const [a, b] of minus(span, stops)) {
        const from = Math.max(a, start)
        if (b <= from) continue
        if (remaining <= b - from) return from + Math.max(0, remaining)
        remaining -= b - from
      }
    }
    const lastStop = stops[stops.length - 1]
    if (lastStop && lastStop[1] === Number.POSITIVE_INFINITY && lastStop[0] <= day + DAY) return undefined
  }
  return undefined
}

/** Open time between two instants, pauses not counted, in ms (0 when `to` ≤ `from`). */
export function businessMsBetween(
  cal: BusinessCalendar,
  from: number,
  to: number,
  pauses: readonly Pause[] = [],
): number {
  if (!(to > from)) return 0
  const p = prepare(cal)
  const stops = pauseSpans(pauses)
  let total = 0
  const last = civilDayOf(p.timeZone, to)
  for (let day = civilDayOf(p.timeZone, from); day <= last; day += DAY) {
    for (const span of openSpans(p, day)) {
      for (const [a, b] of minus(span, stops)) {
        const lo = Math.max(a, from)
        const hi = Math.min(b, to)
        if (hi > lo) total += hi - lo
      }
    }
  }
  return total
}

/**
 * ISO form of {@link addBusinessMs}: the instant `minutes` business minutes after `start`.
 *
 * @example
 * addBusinessMinutes(londonNineToFive, '2026-03-27T16:00:00Z', 120) // '2026-03-30T09:00:00.000Z' (Friday 16:00 GMT → Monday 10:00 BST)
 */
export function addBusinessMinutes(
  cal: BusinessCalendar,
  start: string,
  minutes: number,
  pauses: readonly Pause[] = [],
): string | undefined {
  const at = addBusinessMs(cal, Date.parse(start), minutes * MINUTE, pauses)
  return at === undefined ? undefined : new Date(at).toISOString()
}

/** Business minutes between two ISO instants (fractional), pauses not counted. */
export function businessMinutesBetween(
  cal: BusinessCalendar,
  from: string,
  to: string,
  pauses: readonly Pause[] = [],
): number {
  return businessMsBetween(cal, Date.parse(from), Date.parse(to), pauses) / MINUTE
}

/** The local date (`YYYY-MM-DD`) of an ISO instant in the calendar's zone. */
export function localDate(cal: BusinessCalendar, at: string): string {
  return isoDate(civilDayOf(cal.timeZone, Date.parse(at)))
}

/** Whether `at` falls inside open hours. */
export function isOpen(cal: BusinessCalendar, at: string): boolean {
  const ms = Date.parse(at)
  const p = prepare(cal)
  return openSpans(p, civilDayOf(p.timeZone, ms)).some(([a, b]) => ms >= a && ms < b)
}

export interface CalendarProblem {
  field: string
  code: string
  message: string
}

/** What is wrong with a calendar (empty when valid): zone, windows, overlaps, holidays. */
export function calendarProblems(cal: BusinessCalendar): CalendarProblem[] {
  const problems: CalendarProblem[] = []
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: cal.timeZone })
  } catch {
    problems.push({
      field: 'timeZone',
      code: 'invalid_time_zone',
      message: `Unknown time zone ${cal.timeZone}`,
    })
  }
  let open = 0
  for (const day of WEEKDAYS) {
    const windows = cal.hours[day] ?? []
    const ranges: [number, number][] = []
    windows.forEach((w, i) => {
      const field = `hours.${day}.${i}`
      if (!HHMM.test(w.start) || !HHMM.test(w.end) || minutesOf(w.start) >= minutesOf(w.end)) {
        problems.push({
          field,
          code: 'invalid_window',
          message: 'A window is HH:MM-HH:MM with start before end',
        })
        return
      }
      ranges.push([minutesOf(w.start), minutesOf(w.end)])
    })
    ranges.sort((a, b) => a[0] - b[0])
    for (let i = 1; i < ranges.length; i++) {
      if ((ranges[i]?.[0] ?? 0) < (ranges[i - 1]?.[1] ?? 0))
        problems.push({
          field: `hours.${day}`,
          code: 'overlapping_windows',
          message: 'Windows of a day overlap',
        })
    }
    open += ranges.length
  }
  if (open === 0)
    problems.push({ field: 'hours', code: 'never_open', message: 'At least one open window a week' })
  ;(cal.holidays ?? []).forEach((h, i) => {
    const m = DATE.exec(h)
    if (!m || isoDate(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) !== h)
      problems.push({
        field: `holidays.${i}`,
        code: 'invalid_date',
        message: 'A holiday is a date YYYY-MM-DD',
      })
  })
  return problems
}
