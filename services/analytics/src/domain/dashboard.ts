/**
 * The dashboard and the reports from daily aggregates, pure. Input: the summed cells of one
 * dimension as `day → value → metrics` (lifetime totals under {@link LIFETIME}). Nothing here
 * looks at an event: reading a year costs the same whether 1 000 or 1 000 000 events made it.
 */
import { addDays, buckets, type Compare, comparisonRange, type Interval, LIFETIME } from './calendar.js'
import { isCumulative } from './cells.js'
import {
  change,
  KPI_NAMES,
  KPIS,
  type KpiContext,
  type KpiDef,
  type KpiName,
  type Metrics,
  type MoneyContext,
} from './kpis.js'

/** Summed cells of one dimension: day → dimension value → metric → total. */
export type DayTable = ReadonlyMap<string, ReadonlyMap<string, Metrics>>

function addInto(target: Record<string, number>, m: Metrics, only?: (metric: string) => boolean): void {
  for (const [k, v] of Object.entries(m)) if (!only || only(k)) target[k] = (target[k] ?? 0) + v
}

/** Σ of `[from, to]` per dimension value. */
export function flowOf(table: DayTable, from: string, to: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>()
  for (const [day, values] of table) {
    if (day < from || day > to || day === LIFETIME) continue
    for (const [value, m] of values) {
      const acc = out.get(value) ?? {}
      addInto(acc, m)
      out.set(value, acc)
    }
  }
  return out
}

/** Running totals at the end of `day` per value: the lifetime total minus every change after `day`. */
export function stockOf(table: DayTable, day: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>()
  const life = table.get(LIFETIME)
  for (const [value, m] of life ?? []) {
    const acc: Record<string, number> = {}
    addInto(acc, m, isCumulative)
    out.set(value, acc)
  }
  for (const [d, values] of table) {
    if (d <= day || d === LIFETIME) continue
    for (const [value, m] of values) {
      const acc = out.get(value) ?? {}
      for (const [k, v] of Object.entries(m)) if (isCumulative(k)) acc[k] = (acc[k] ?? 0) - v
      out.set(value, acc)
    }
  }
  return out
}

export interface KpiValue {
  value: number | null
  previous: number | null
  change: number | null
  unit: string
}
export interface Breakdown {
  value: string
  current: number
  previous: number
  change: number | null
}

export interface DashboardInput extends MoneyContext {
  from: string
  to: string
  compare: Compare
  /** dim `all` from the earliest day asked for to the lifetime totals. */
  all: DayTable
  /** dim `stage` from the comparison's end on (stocks for the weighted pipeline). */
  stage: DayTable
  /** dim `source` over both ranges. */
  source: DayTable
}

function kpisAt(
  input: DashboardInput,
  from: string,
  to: string,
  unconverted: Set<string>,
): Record<KpiName, number | null> {
  const flow = flowOf(input.all, from, to).get('_') ?? {}
  const stock = stockOf(input.all, to).get('_') ?? {}
  const ctx: KpiContext = { ...input, stageStock: stockOf(input.stage, to), unconverted }
  const out = {} as Record<KpiName, number | null>
  for (const name of KPI_NAMES) out[name] = KPIS[name].value(flow, stock, ctx)
  return out
}

function breakdown(
  table: DayTable,
  metric: string,
  cur: { from: string; to: string },
  prev: { from: string; to: string },
): Breakdown[] {
  const now = flowOf(table, cur.from, cur.to)
  const before = flowOf(table, prev.from, prev.to)
  const values = new Set([...now.keys(), ...before.keys()])
  return [...values]
    .map((value) => {
      const current = now.get(value)?.[metric] ?? 0
      const previous = before.get(value)?.[metric] ?? 0
      return { value, current, previous, change: change(current, previous) }
    })
    .filter((b) => b.current !== 0 || b.previous !== 0)
    .sort((a, b) => b.current - a.current || (a.value < b.value ? -1 : 1))
}

/** The dashboard: every KPI of `[from, to]` with its value over the comparison range and the change. */
export function dashboard(input: DashboardInput) {
  const previous = comparisonRange(input.from, input.to, input.compare)
  const unconverted = new Set<string>()
  const now = kpisAt(input, input.from, input.to, unconverted)
  const before = kpisAt(input, previous.from, previous.to, unconverted)
  const kpis = {} as Record<KpiName, KpiValue>
  for (const name of KPI_NAMES)
    kpis[name] = {
      value: now[name],
      previous: before[name],
      change: change(now[name], before[name]),
      unit: KPIS[name].unit,
    }
  return {
    from: input.from,
    to: input.to,
    compare: input.compare,
    previousFrom: previous.from,
    previousTo: previous.to,
    baseCurrency: input.baseCurrency,
    kpis,
    leadsBySource: breakdown(input.source, 'leadsCreated', input, previous),
    contactsBySource: breakdown(input.source, 'contactsCreated', input, previous),
    unconvertedCurrencies: [...unconverted].sort(),
  }
}

/** The earliest day a dashboard reads. */
export function dashboardStart(from: string, to: string, compare: Compare): string {
  const p = comparisonRange(from, to, compare)
  return p.from < from ? p.from : from
}

// ---------------------------------------------------------------------------------------------
// Reports

export const FUNNELS = {
  'lead-funnel': {
    title: 'Lead funnel',
    steps: [
      ['lead', 'leadsCreated'],
      ['qualified', 'leadsQualified'],
      ['opportunity', 'leadOpportunities'],
      ['won', 'wonFromLead'],
    ],
    groupBy: [] as readonly string[],
  },
  'email-funnel': {
    title: 'Email funnel',
    steps: [
      ['sent', 'emailsSent'],
      ['opened', 'emailsOpened'],
      ['clicked', 'emailsClicked'],
      ['converted', 'emailsConverted'],
    ],
    groupBy: ['campaign'] as readonly string[],
  },
} as const

const kebab = (s: string) => s.replace(/[A-Z0-9]+/g, (m) => `-${m.toLowerCase()}`)
/** `winRate` → `win-rate`: the report name of each KPI. */
export const KPI_REPORTS: Readonly<Record<string, KpiName>> = Object.fromEntries(
  KPI_NAMES.map((k) => [kebab(k), k]),
)
export const REPORT_NAMES = [...Object.keys(KPI_REPORTS), ...Object.keys(FUNNELS)] as const

/** Dimensions a report may be grouped by (the stage breakdown is what the weighted pipeline reads). */
export function reportGroupBy(name: string): readonly string[] {
  if (name in FUNNELS) return FUNNELS[name as keyof typeof FUNNELS].groupBy
  const kpi = KPI_REPORTS[name]
  return kpi ? KPIS[kpi].groupBy : []
}

export interface ReportSeries {
  key: string
  points: { period: string; value: number | null }[]
  total: number | null
}
export interface ReportInput extends MoneyContext {
  name: string
  from: string
  to: string
  interval: Interval
  groupBy?: string | undefined
  /** The grouped dimension (or `all`) from `from` to the lifetime totals. */
  table: DayTable
  /** dim `stage` from `from` on, for the weighted pipeline. */
  stage?: DayTable
}

type ValueMetrics = Map<string, Record<string, number>>

/**
 * Flows and end-of-range stocks of consecutive ranges in one pass over the table (not one per
 * range): each day is added to its range, and stocks are the lifetime totals minus what came after,
 * accumulated from the last range back.
 */
function perRange(
  table: DayTable,
  ranges: readonly { from: string; to: string }[],
): { flows: ValueMetrics[]; stocks: ValueMetrics[] } {
  const flows = ranges.map(() => new Map<string, Record<string, number>>())
  const later = new Map<string, Record<string, number>>() // changes after the last range
  const last = ranges.at(-1)?.to ?? ''
  const first = ranges[0]?.from ?? ''
  const starts = ranges.map((r) => r.from)
  for (const [day, values] of table) {
    if (day === LIFETIME || day < first) continue
    let target: ValueMetrics
    if (day > last) target = later
    else {
      // The range holding `day`: the last one starting on or before it (ranges are consecutive).
      let lo = 0
      let hi = starts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (starts[mid]! <= day) lo = mid
        else hi = mid - 1
      }
      target = flows[lo]!
    }
    for (const [value, m] of values) {
      const acc = target.get(value) ?? {}
      addInto(acc, m)
      target.set(value, acc)
    }
  }
  const stocks: ValueMetrics[] = ranges.map(() => new Map())
  const running = new Map<string, Record<string, number>>()
  for (const [value, m] of table.get(LIFETIME) ?? []) {
    const acc: Record<string, number> = {}
    addInto(acc, m, isCumulative)
    running.set(value, acc)
  }
  const subtract = (from: ValueMetrics) => {
    for (const [value, m] of from) {
      const acc = running.get(value) ?? {}
      for (const [k, v] of Object.entries(m)) if (isCumulative(k)) acc[k] = (acc[k] ?? 0) - v
      running.set(value, acc)
    }
  }
  subtract(later)
  for (let i = ranges.length - 1; i >= 0; i--) {
    stocks[i] = new Map([...running].map(([v, m]) => [v, { ...m }]))
    subtract(flows[i]!)
  }
  return { flows, stocks }
}

/** A report's series: one per group (or one, `_` → `total`), one point per interval. */
export function report(input: ReportInput) {
  const periods = buckets(input.from, input.to, input.interval)
  const unconverted = new Set<string>()
  const values = new Set<string>()
  for (const [day, m] of input.table) if (day >= input.from) for (const v of m.keys()) values.add(v)
  const keyOf = (v: string) => (v === '_' ? 'total' : v)
  const series: ReportSeries[] = []
  const funnel = FUNNELS[input.name as keyof typeof FUNNELS]
  let first = input.from
  const ranges = periods.map((p) => {
    const r = { period: p.key, from: first, to: p.lastDay }
    first = addDays(p.lastDay, 1)
    return r
  })
  const { flows, stocks } = perRange(input.table, ranges)
  if (funnel) {
    for (const [step, metric] of funnel.steps)
      for (const v of [...values].sort()) {
        const points = ranges.map((r, i) => ({
          period: r.period,
          value: flows[i]!.get(v)?.[metric] ?? 0,
        }))
        series.push({
          key: values.size > 1 || v !== '_' ? `${step} · ${keyOf(v)}` : step,
          points,
          total: points.reduce((s, p) => s + p.value, 0),
        })
      }
    const totals = funnel.steps.map(([step, metric]) => {
      let count = 0
      for (const m of flowOf(input.table, input.from, input.to).values()) count += m[metric] ?? 0
      return { step, count }
    })
    const steps = totals.map((t, i) => ({
      ...t,
      rateFromPrevious: i === 0 ? null : totals[i - 1]!.count > 0 ? t.count / totals[i - 1]!.count : null,
    }))
    return {
      name: input.name,
      title: funnel.title,
      unit: 'count',
      from: input.from,
      to: input.to,
      interval: input.interval,
      groupBy: input.groupBy ?? null,
      series,
      steps,
      unconvertedCurrencies: [] as string[],
    }
  }
  const kpi = KPI_REPORTS[input.name]!
  const def: KpiDef = KPIS[kpi]
  const stageStocks = input.stage ? perRange(input.stage, ranges).stocks : undefined
  const whole = flowOf(input.table, input.from, input.to)
  for (const v of [...values].sort()) {
    const points = ranges.map((r, i) => {
      const ctx: KpiContext = {
        ...input,
        unconverted,
        ...(stageStocks ? { stageStock: stageStocks[i]! } : {}),
      }
      return { period: r.period, value: def.value(flows[i]!.get(v) ?? {}, stocks[i]!.get(v) ?? {}, ctx) }
    })
    const total = def.stock
      ? (points.at(-1)?.value ?? null)
      : def.value(whole.get(v) ?? {}, {}, { ...input, unconverted })
    series.push({ key: keyOf(v), points, total })
  }
  return {
    name: input.name,
    title: kpi.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()),
    unit: def.unit,
    from: input.from,
    to: input.to,
    interval: input.interval,
    groupBy: input.groupBy ?? null,
    series,
    unconvertedCurrencies: [...unconverted].sort(),
  }
}
export type Report = ReturnType<typeof report>

const csvCell = (v: string) => {
  // Formula injection: a cell a spreadsheet would evaluate is quoted and prefixed.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
  return /[",\n\r]/.test(safe) || safe !== v ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** The report as CSV (RFC 4180): one row per period, one column per series. */
export function reportCsv(r: Report): string {
  const header = ['period', ...r.series.map((s) => s.key)]
  const periods =
    r.series[0]?.points.map((p) => p.period) ?? buckets(r.from, r.to, r.interval).map((b) => b.key)
  const rows = periods.map((period, i) => [
    period,
    ...r.series.map((s) => ((s.points[i]?.value ?? '') === null ? '' : String(s.points[i]?.value ?? ''))),
  ])
  return `${[header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`
}
