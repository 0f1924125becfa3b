import { comparisonRange, LIFETIME, localDay } from '../domain/calendar.js'
import { dashboard, dashboardStart } from '../domain/dashboard.js'
import { resolveRange } from '../domain/range.js'
import { httpNonPost } from '../kit.js'
import { getDashboard } from '../routes/analytics.js'
import { readDays } from '../store/aggregates.js'
import { getSettings } from '../store/settings.js'

/**
 * GET /analytics/dashboard?from=&to=&compare= → every KPI with its change. Three range reads of the
 * daily aggregates (tenant totals, stages for the weighted pipeline, sources), each one Query per
 * shard: the cost follows the days asked for, never the number of events behind them.
 */
export const handler = httpNonPost(getDashboard, async ({ caller, query }) => {
  const settings = await getSettings(caller.tenantId)
  const { from, to } = resolveRange(query, localDay(new Date(), settings.timeZone))
  const compare = query.compare ?? 'previous_period'
  const start = dashboardStart(from, to, compare)
  const previous = comparisonRange(from, to, compare)
  const stockFrom = previous.to < to ? previous.to : to
  const [all, stage, source] = await Promise.all([
    readDays(caller.tenantId, 'all', start, LIFETIME),
    readDays(caller.tenantId, 'stage', stockFrom, LIFETIME),
    readDays(caller.tenantId, 'source', start, to > previous.to ? to : previous.to, [
      'leadsCreated',
      'contactsCreated',
    ]),
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
