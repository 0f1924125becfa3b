import { Invalid, NotAcceptable, NotFound } from '@relay/core/outcomes'
import { LIFETIME, localDay } from '../domain/calendar.js'
import type { Dimension } from '../domain/cells.js'
import { renderChart } from '../domain/chart.js'
import { REPORT_NAMES, report, reportCsv, reportGroupBy } from '../domain/dashboard.js'
import { negotiate } from '../domain/negotiate.js'
import { resolveRange } from '../domain/range.js'
import { reportChart } from '../domain/report-chart.js'
import { httpNonPost } from '../kit.js'
import { getReport } from '../routes/analytics.js'
import { readDays } from '../store/aggregates.js'
import { getSettings } from '../store/settings.js'

const OFFERED = ['application/json', 'text/csv', 'image/svg+xml'] as const

/**
 * GET /analytics/reports/{name}?from=&to=&interval=&groupBy= → the report's series, as the Accept
 * header asks: JSON, CSV (one row per period, one column per series) or an SVG chart. Read from the
 * daily aggregates of the grouped dimension, from `from` to the lifetime totals (running totals
 * such as the open pipeline are the lifetime total minus the changes after each period).
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
  const [table, stage] = await Promise.all([
    readDays(caller.tenantId, dim, from, LIFETIME),
    params.name === 'weighted-pipeline' ? readDays(caller.tenantId, 'stage', from, LIFETIME) : undefined,
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
