/**
 * Runs manifest schedules locally (`rate(...)` and AWS's 6-field `cron(...)`, in UTC), invoking the
 * function with an EventBridge "Scheduled Event"; any schedule can also be triggered by hand.
 */
import { randomUUID } from 'node:crypto'
import { ruleName } from '@relay/core/names'
import { type Invoker, LOCAL_ACCOUNT, type LocalService } from './invoke.js'

export type Schedule =
  | { kind: 'rate'; everyMs: number }
  | {
      kind: 'cron'
      minutes: Set<number>
      hours: Set<number>
      dom: Dom
      months: Set<number>
      dow: Dow
      years?: Set<number>
    }

type Dom =
  | { kind: 'any' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'last' }
  | { kind: 'weekday'; day: number | 'L' }
/** Days of week as JS numbers (0 = Sunday). */
type Dow =
  | { kind: 'any' }
  | { kind: 'set'; values: Set<number> }
  | { kind: 'last'; day: number }
  | { kind: 'nth'; day: number; n: number }

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC']
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']

function parseField(
  text: string,
  min: number,
  max: number,
  names: string[] = [],
  nameBase = min,
): Set<number> {
  const value = (s: string) => {
    const named = names.indexOf(s.toUpperCase())
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(s) ? Number(s) : Number.NaN
    if (!(n >= min && n <= max)) throw new Error(`"${s}" is out of range ${min}-${max}`)
    return n
  }
  const out = new Set<number>()
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/')
    const step = stepText === undefined ? 1 : Number(stepText)
    if (!Number.isInteger(step) || step < 1) throw new Error(`bad step in "${part}"`)
    let from: number
    let to: number
    if (range === '*') [from, to] = [min, max]
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-')
      ;[from, to] = [value(a), value(b)]
      if (from > to) throw new Error(`bad range "${range}"`)
    } else {
      from = value(range)
      to = stepText === undefined ? from : max
    }
    for (let n = from; n <= to; n += step) out.add(n)
  }
  return out
}

/**
 * Parses a schedule expression as EventBridge accepts it; throws with the reason otherwise.
 *
 * @example parseSchedule('rate(5 minutes)') // { kind: 'rate', everyMs: 300000 }
 * @example parseSchedule('cron(0 8 ? * MON-FRI *)')
 */
export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim())
  if (rate) {
    const n = Number(rate[1])
    const unit = rate[2]!
    if (n < 1) throw new Error(`Invalid schedule ${expression}: the value must be positive`)
    // EventBridge insists: 1 takes the singular unit, more the plural.
    if ((n === 1) !== !unit.endsWith('s')) {
      throw new Error(
        `Invalid schedule ${expression}: use "${n === 1 ? 'minute/hour/day' : 'minutes/hours/days'}"`,
      )
    }
    return { kind: 'rate', everyMs: n * UNITS[unit.replace(/s$/, '')]! }
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim())
  if (!cron) throw new Error(`Invalid schedule ${expression}: expected rate(...) or cron(...)`)
  const fields = cron[1]!.trim().split(/\s+/)
  if (fields.length !== 6)
    throw new Error(`Invalid schedule ${expression}: cron needs 6 fields, got ${fields.length}`)
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string]
  try {
    if ((dom === '?') === (dow === '?'))
      throw new Error('exactly one of day-of-month and day-of-week must be "?"')
    return {
      kind: 'cron',
      minutes: parseField(min, 0, 59),
      hours: parseField(hour, 0, 23),
      dom: parseDom(dom),
      months: parseField(month, 1, 12, MONTHS, 1),
      dow: parseDow(dow),
      ...(year === '*' ? {} : { years: parseField(year, 1970, 2199) }),
    }
  } catch (err) {
    throw new Error(`Invalid schedule ${expression}: ${(err as Error).message}`)
  }
}

function parseDom(text: string): Dom {
  if (text === '?' || text === '*') return { kind: 'any' }
  if (text === 'L') return { kind: 'last' }
  if (text === 'LW') return { kind: 'weekday', day: 'L' }
  const w = /^(\d+)W$/.exec(text)
  if (w) return { kind: 'weekday', day: [...parseField(w[1]!, 1, 31)][0]! }
  return { kind: 'set', values: parseField(text, 1, 31) }
}

function parseDow(text: string): Dow {
  if (text === '?' || text === '*') return { kind: 'any' }
  const js = (s: string) => [...parseField(s, 1, 7, DAYS, 1)][0]! - 1
  if (text === 'L') return { kind: 'last', day: 6 }
  const last = /^(\w+)L$/.exec(text)
  if (last) return { kind: 'last', day: js(last[1]!) }
  const nth = /^(\w+)#([1-5])$/.exec(text)
  if (nth) return { kind: 'nth', day: js(nth[1]!), n: Number(nth[2]) }
  return { kind: 'set', values: new Set([...parseField(text, 1, 7, DAYS, 1)].map((d) => d - 1)) }
}

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate()

function dayMatches(s: Extract<Schedule, { kind: 'cron' }>, d: Date): boolean {
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  const day = d.getUTCDate()
  const wd = d.getUTCDay()
  if (s.years && !s.years.has(y)) return false
  if (!s.months.has(m + 1)) return false
  const last = daysIn(y, m)
  switch (s.dom.kind) {
    case 'set':
      if (!s.dom.values.has(day)) return false
      break
    case 'last':
      if (day !== last) return false
      break
    case 'weekday': {
      // Nearest weekday to the given day, without leaving the month.
      const target = s.dom.day === 'L' ? last : Math.min(s.dom.day, last)
      const twd = new Date(Date.UTC(y, m, target)).getUTCDay()
      let nearest = target
      if (twd === 6) nearest = target === 1 ? 3 : target - 1
      else if (twd === 0) nearest = target === last ? target - 2 : target + 1
      if (day !== nearest) return false
      break
    }
  }
  switch (s.dow.kind) {
    case 'set':
      return s.dow.values.has(wd)
    case 'last':
      return wd === s.dow.day && day + 7 > last
    case 'nth':
      return wd === s.dow.day && Math.ceil(day / 7) === s.dow.n
    default:
      return true
  }
}

/** The first time strictly after `after` when the schedule fires (rate: `after + period`). */
export function nextRun(schedule: Schedule, after: Date): Date | undefined {
  if (schedule.kind === 'rate') return new Date(after.getTime() + schedule.everyMs)
  const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000)
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()))
  const hours = [...schedule.hours].sort((a, b) => a - b)
  const minutes = [...schedule.minutes].sort((a, b) => a - b)
  for (let i = 0; i < 366 * 30; i++, day.setUTCDate(day.getUTCDate() + 1)) {
    if (!dayMatches(schedule, day)) continue
    const sameDay = i === 0
    for (const h of hours) {
      if (sameDay && h < start.getUTCHours()) continue
      for (const mi of minutes) {
        if (sameDay && h === start.getUTCHours() && mi < start.getUTCMinutes()) continue
        return new Date(day.getTime() + h * 3_600_000 + mi * 60_000)
      }
    }
  }
  return undefined
}

export interface ScheduleInfo {
  service: string
  name: string
  expression: string
  function: string
  ruleName: string
  nextRun?: string
  lastRun?: string
  lastError?: string
}

interface Entry extends ScheduleInfo {
  schedule: Schedule
  timer?: NodeJS.Timeout
}

export interface SchedulerOptions {
  stage: string
  services: readonly LocalService[]
  invoker: Invoker
  region?: string
  log?(line: string): void
}

/** Holds every manifest schedule; `start()` arms the timers, `trigger()` runs one now. */
export class Scheduler {
  private readonly entries: Entry[] = []
  private started = false
  private readonly log: (line: string) => void

  constructor(private readonly options: SchedulerOptions) {
    this.log = options.log ?? (() => {})
    for (const { manifest } of options.services) {
      for (const s of manifest.schedules) {
        let schedule: Schedule
        try {
          schedule = parseSchedule(s.expression)
        } catch (err) {
          throw new Error(`Service "${manifest.name}", schedule "${s.name}": ${(err as Error).message}`)
        }
        this.entries.push({
          service: manifest.name,
          name: s.name,
          expression: s.expression,
          function: s.function,
          ruleName: ruleName(options.stage, manifest.name, s.name),
          schedule,
        })
      }
    }
  }

  list(): ScheduleInfo[] {
    return this.entries.map(({ schedule: _s, timer: _t, ...info }) => ({ ...info }))
  }

  start(): void {
    this.started = true
    for (const entry of this.entries) this.arm(entry, new Date())
  }

  stop(): void {
    this.started = false
    for (const entry of this.entries) clearTimeout(entry.timer)
  }

  /** Runs a schedule now; resolves with the function's result or rejects with its error. */
  async trigger(service: string, name: string): Promise<unknown> {
    const entry = this.entries.find((e) => e.service === service && e.name === name)
    if (!entry) throw new Error(`No schedule ${service}/${name}`)
    return this.run(entry, new Date())
  }

  private arm(entry: Entry, from: Date): void {
    if (!this.started) return
    const next = nextRun(entry.schedule, from)
    entry.nextRun = next?.toISOString()
    if (next) this.armAt(entry, next)
  }

  private armAt(entry: Entry, next: Date): void {
    if (!this.started) return
    // setTimeout holds at most ~24.8 days: wake up and wait again if the next run is further.
    const delay = Math.min(next.getTime() - Date.now(), 2 ** 31 - 1)
    entry.timer = setTimeout(
      () => {
        if (Date.now() < next.getTime() - 5) return this.armAt(entry, next)
        this.run(entry, next).catch(() => {})
        this.arm(entry, next)
      },
      Math.max(0, delay),
    )
    entry.timer.unref()
  }

  private async run(entry: Entry, at: Date): Promise<unknown> {
    const region = this.options.region ?? process.env.AWS_REGION ?? 'us-east-1'
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT,
      time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT}:rule/${entry.ruleName}`],
      detail: {},
    }
    entry.lastRun = new Date().toISOString()
    try {
      const result = await this.options.invoker.invoke(entry.service, entry.function, event, 'schedule')
      entry.lastError = undefined
      this.log(`schedule ${entry.service}/${entry.name} ran`)
      return result
    } catch (err) {
      entry.lastError = (err as Error).message
      this.log(`schedule ${entry.service}/${entry.name} failed: ${(err as Error).message}`)
      throw err
    }
  }
}
