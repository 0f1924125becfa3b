import { addDays, comparisonRange, localDay } from '../domain/calendar.js'
import { dashboard, dashboardStart } from '../domain/dashboard.js'
import { resolveRange } from '../domain/range.js'
import { httpNonPost } from '../kit.js'
import { getDashboard } from '../routes/analytics.js'
import { readSpan } from '../store/aggregates.js'
import { getSettings } from '../store/settings.js'

/**
 * GET /analytics/dashboard?from=&to=&compare= → every KPI with its change. Three span reads of the
 * aggregates (tenant totals, stages for the weighted pipeline, sources): month rollups for whole
 * months inside either range, days at the edges, lifetime totals for the running totals. The cost
 * follows the months and edge days asked for, never the number of events behind them.
 */
export const handler = httpNonPost(getDashboard, async ({ caller, query }) => {
  const settings = await getSettings(caller.tenantId)
  const { from, to } = resolveRange(query, localDay(new Date(), settings.timeZone))
  const compare = query.compare ?? 'previous_period'
  const start = dashboardStart(from, to, compare)
  const previous = comparisonRange(from, to, compare)
  // The days the sums end on: each range, and the day before each (where the one before it ends).
  const cuts = [addDays(from, -1), to, addDays(previous.from, -1), previous.to]
  const stockFrom = addDays(previous.to < to ? previous.to : to, 1)
  const [all, stage, source] = await Promise.all([
    readSpan(caller.tenantId, 'all', start, cuts),
    readSpan(caller.tenantId, 'stage', stockFrom, [previous.to, to]),
    readSpan(caller.tenantId, 'source', start, cuts, ['leadsCreated', 'contactsCreated']),
  ])
  const body = dashboard({
    from,
    to,
    compare,
    all,
    stage,
    source,
    baseCurrency: settings.baseCurrency,
    rates: settings.rates,
  })
  return { status: 200, body: { ...body, timeZone: settings.timeZone } }
})
