import { Invalid, NotAcceptable, NotFound } from '@relay/core/outcomes'
import { addDays, buckets, localDay } from '../domain/calendar.js'
import type { Dimension } from '../domain/cells.js'
import { renderChart } from '../domain/chart.js'
import { REPORT_NAMES, report, reportCsv, reportGroupBy } from '../domain/dashboard.js'
import { negotiate } from '../domain/negotiate.js'
import { resolveRange } from '../domain/range.js'
import { reportChart } from '../domain/report-chart.js'
import { httpNonPost } from '../kit.js'
import { getReport } from '../routes/analytics.js'
import { readSpan } from '../store/aggregates.js'
import { getSettings } from '../store/settings.js'

const OFFERED = ['application/json', 'text/csv', 'image/svg+xml'] as const

/**
 * GET /analytics/reports/{name}?from=&to=&interval=&groupBy= → the report's series, as the Accept
 * header asks: JSON, CSV (one row per period, one column per series) or an SVG chart. Read from the
 * aggregates of the grouped dimension from `from` on (month rollups where a period holds whole
 * months) and its lifetime totals (running totals such as the open pipeline are the lifetime total
 * minus the changes after each period).
 */
export const handler = httpNonPost(getReport, async ({ caller, params, query, headers }) => {
  if (!(REPORT_NAMES as readonly string[]).includes(params.name))
    throw new NotFound(`No report named ${params.name}`)
  const type = negotiate(headers.accept, OFFERED)
  if (!type) throw new NotAcceptable(OFFERED)
  if (query.groupBy && !reportGroupBy(params.name).includes(query.groupBy))
    throw new Invalid([
      {
        field: 'query.groupBy',
        code: 'not_offered',
        message: `${params.name} can be grouped by: ${reportGroupBy(params.name).join(', ') || 'nothing'}`,
      },
    ])
  const settings = await getSettings(caller.tenantId)
  const { from, to } = resolveRange(query, localDay(new Date(), settings.timeZone))
  const interval = query.interval ?? 'day'
  const dim = (query.groupBy ?? 'all') as Dimension
  // Each period ends a sum: whole months inside one are read as their month rollup.
  const cuts = [addDays(from, -1), ...buckets(from, to, interval).map((b) => b.lastDay)]
  const [table, stage] = await Promise.all([
    readSpan(caller.tenantId, dim, from, cuts),
    params.name === 'weighted-pipeline' ? readSpan(caller.tenantId, 'stage', from, cuts) : undefined,
  ])
  const r = {
    ...report({
      name: params.name,
      from,
      to,
      interval,
      groupBy: query.groupBy,
      table,
      stage,
      baseCurrency: settings.baseCurrency,
      rates: settings.rates,
    }),
    timeZone: settings.timeZone,
    baseCurrency: settings.baseCurrency,
  }
  const headersOut = { vary: 'Accept' }
  const file = `${params.name}_${from}_${to}`
  if (type === 'text/csv')
    return {
      status: 200,
      headers: headersOut,
      raw: { body: reportCsv(r), contentType: 'text/csv; charset=utf-8', filename: `${file}.csv` },
    }
  if (type === 'image/svg+xml')
    return {
      status: 200,
      headers: headersOut,
      raw: { body: renderChart(reportChart(r)), contentType: 'image/svg+xml; charset=utf-8' },
    }
  return { status: 200, headers: headersOut, body: r }
})
