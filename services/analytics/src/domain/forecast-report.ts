/**
 * The forecast endpoint's answer, pure: which KPI a metric is, which periods make its history, and
 * how the weighted open pipeline is spread over the periods ahead.
 *
 * | choice            | rule                                                                                 |
 * | ----------------- | ------------------------------------------------------------------------------------ |
 * | history           | the last 36 complete months (104 weeks), from the first period with any activity     |
 * | season            | 12 months, 52 weeks                                                                  |
 * | pipeline spread   | open deals are on average half-way through their cycle: the weighted pipeline closes over the next ⌈(average sales cycle ÷ 2) ÷ period⌉ periods (1 to 3), evenly; no cycle measured yet → all in the next period |
 * | pipeline metric   | revenue only (the pipeline is money); other metrics are history alone                 |
 */
import type { ForecastMetric, ForecastResponse } from '@relay/contracts/analytics-insights'
import { addDays, bucketOf } from './calendar.js'
import { forecast } from './forecast.js'
import type { KpiName } from './kpis.js'

export const FORECAST_KPIS: Readonly<Record<ForecastMetric, KpiName>> = {
  revenue: 'revenueWon',
  'deals-won': 'dealsWon',
  'new-contacts': 'newContacts',
  'new-leads': 'newLeads',
  'tickets-opened': 'ticketsOpened',
}
export type ForecastInterval = 'week' | 'month'
export const HISTORY_PERIODS: Readonly<Record<ForecastInterval, number>> = { month: 36, week: 104 }
export const SEASON_LENGTH: Readonly<Record<ForecastInterval, number>> = { month: 12, week: 52 }
const PERIOD_DAYS: Readonly<Record<ForecastInterval, number>> = { month: 30.44, week: 7 }
const MAX_PIPELINE_PERIODS = 3

/** `YYYY-MM-01` of the month `n` months after `day`'s. */
function monthStart(day: string, n: number): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00.000Z`)
  d.setUTCMonth(d.getUTCMonth() + n)
  return d.toISOString().slice(0, 10)
}

/** First day of the period `n` periods after the one holding `day`. */
function periodStart(day: string, interval: ForecastInterval, n: number): string {
  return interval === 'month' ? monthStart(day, n) : addDays(bucketOf(day, 'week'), 7 * n)
}

/** The days of the history: complete periods only (the current one is still filling up). */
export function historyRange(today: string, interval: ForecastInterval): { from: string; to: string } {
  return {
    from: periodStart(today, interval, -HISTORY_PERIODS[interval]),
    to: addDays(periodStart(today, interval, 0), -1),
  }
}

/** The keys of the `horizon` periods from the current one on (the current one is step 1). */
export function nextPeriods(today: string, interval: ForecastInterval, horizon: number): string[] {
  return Array.from({ length: horizon }, (_, k) => bucketOf(periodStart(today, interval, k), interval))
}

/** The weighted pipeline per future period (see the table at the top). */
export function pipelineSpread(
  weighted: number | null,
  cycleSeconds: number | null,
  interval: ForecastInterval,
  horizon: number,
): number[] {
  if (weighted === null || weighted <= 0 || horizon < 1) return []
  const remainingDays = cycleSeconds && cycleSeconds > 0 ? cycleSeconds / 86_400 / 2 : 0
  const periods = Math.min(
    MAX_PIPELINE_PERIODS,
    horizon,
    Math.max(1, Math.ceil(remainingDays / PERIOD_DAYS[interval])),
  )
  return Array.from({ length: periods }, () => weighted / periods)
}

export interface ForecastReportInput {
  metric: ForecastMetric
  interval: ForecastInterval
  horizon: number
  today: string
  /** Every complete period of the history range, oldest first (null = nothing to count). */
  history: readonly { period: string; value: number | null }[]
  unit: 'count' | 'money'
  currency?: string
  weightedPipeline: number | null
  cycleSeconds: number | null
  generatedAt: string
}

export function forecastReport(input: ForecastReportInput): ForecastResponse {
  // Periods before the tenant's first activity are no history: a zero there is "not yet", not a slump.
  const firstActive = input.history.findIndex((p) => (p.value ?? 0) !== 0)
  const history = (firstActive < 0 ? [] : input.history.slice(firstActive)).map((p) => ({
    period: p.period,
    value: p.value ?? 0,
  }))
  const pipeline =
    input.metric === 'revenue'
      ? pipelineSpread(input.weightedPipeline, input.cycleSeconds, input.interval, input.horizon)
      : []
  const f = forecast(
    history.map((h) => h.value),
    { seasonLength: SEASON_LENGTH[input.interval], horizon: input.horizon, pipeline },
  )
  const periods = nextPeriods(input.today, input.interval, input.horizon)
  return {
    metric: input.metric,
    interval: input.interval,
    unit: input.unit,
    ...(input.currency ? { currency: input.currency } : {}),
    method: f.method,
    seasonLength: f.seasonLength,
    params: f.params,
    history,
    outliers: f.outliers.map((o) => ({
      period: history[o.index]!.period,
      value: o.value,
      replacedBy: o.replacedBy,
    })),
    points: f.points.map((p, k) => ({
      period: periods[k]!,
      value: p.value,
      statistical: p.statistical,
      ...(p.pipeline !== undefined ? { pipeline: p.pipeline } : {}),
      p80: { lower: p.lower80, upper: p.upper80 },
      p95: { lower: p.lower95, upper: p.upper95 },
    })),
    backtest: f.backtest,
    ...(input.metric === 'revenue' && input.weightedPipeline !== null
      ? { weightedPipeline: input.weightedPipeline }
      : {}),
    generatedAt: input.generatedAt,
  }
}
