import { nowIso } from '@relay/core/ids'
import { LIFETIME, localDay } from '../domain/calendar.js'
import { flowOf, KPI_REPORTS, report, stockOf } from '../domain/dashboard.js'
import { FORECAST_KPIS, forecastReport, historyRange } from '../domain/forecast-report.js'
import { KPIS, type KpiContext } from '../domain/kpis.js'
import { httpNonPost } from '../kit.js'
import { getForecast } from '../routes/insights.js'
import { readDays } from '../store/aggregates.js'
import { getSettings } from '../store/settings.js'

/**
 * GET /analytics/forecast?metric=&horizon=&interval= → the KPI's forecast from the daily aggregates
 * (the same series as its report, complete periods only), blended for revenue with today's weighted
 * open pipeline. Reads a bounded range (36 months or 104 weeks), never raw events.
 */
export const handler = httpNonPost(getForecast, async ({ caller, query }) => {
  const settings = await getSettings(caller.tenantId)
  const today = localDay(new Date(), settings.timeZone)
  const interval = query.interval ?? 'month'
  const horizon = Number(query.horizon ?? 6)
  const kpi = FORECAST_KPIS[query.metric]
  const name = Object.keys(KPI_REPORTS).find((k) => KPI_REPORTS[k] === kpi)!
  const { from, to } = historyRange(today, interval)
  const revenue = query.metric === 'revenue'
  const [table, stage] = await Promise.all([
    readDays(caller.tenantId, 'all', from, LIFETIME),
    revenue ? readDays(caller.tenantId, 'stage', today, LIFETIME) : undefined,
  ])
  const money = { baseCurrency: settings.baseCurrency, rates: settings.rates }
  const series = report({ name, from, to, interval, table, ...money }).series[0]?.points ?? []
  let weighted: number | null = null
  let cycle: number | null = null
  if (revenue && stage) {
    const ctx: KpiContext = { ...money, unconverted: new Set(), stageStock: stockOf(stage, today) }
    weighted = KPIS.weightedPipeline.value({}, {}, ctx)
    cycle = KPIS.averageSalesCycle.value(flowOf(table, from, to).get('_') ?? {})
  }
  const unit = KPIS[kpi].unit === 'money' ? 'money' : 'count'
  return {
    status: 200,
    body: forecastReport({
      metric: query.metric,
      interval,
      horizon,
      today,
      history: series,
      unit,
      ...(unit === 'money' ? { currency: settings.baseCurrency } : {}),
      weightedPipeline: weighted,
      cycleSeconds: cycle,
      generatedAt: nowIso(),
    }),
  }
})
