import type { Pipeline } from '@relay/contracts/pipeline'
import { computeForecast, periodRange } from '../domain/forecast.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/forecast.js'
import { dealsClosingBetween } from '../store/deals.js'
import { resolvePipeline } from '../store/pipelines.js'
import { getQuotas } from '../store/quotas.js'
import { currencySettings } from '../store/settings.js'

/**
 * GET /forecast?period=2026-Q4&pipelineId=&owner= → closed won, commit, best case, pipeline and
 * weighted pipeline per owner and in total, in the base currency, with quotas. Rules in domain/forecast.ts.
 */
export const handler = httpNonPost(routes.getForecast, async ({ query, caller }) => {
  const { from, to } = periodRange(query.period)
  const [found, currencies, quotas] = await Promise.all([
    dealsClosingBetween(caller.tenantId, { from, to, owner: query.owner }),
    currencySettings(caller.tenantId),
    getQuotas(caller.tenantId, query.period),
  ])
  const deals = query.pipelineId ? found.deals.filter((d) => d.pipelineId === query.pipelineId) : found.deals
  const pipelines = new Map<string, Pipeline>()
  for (const id of new Set(deals.map((d) => d.pipelineId))) {
    const p = await resolvePipeline(caller.tenantId, id)
    if (p) pipelines.set(id, p)
  }
  const forecast = computeForecast({
    period: query.period,
    deals,
    pipelines,
    currencies,
    quotas,
    owner: query.owner,
  })
  return { status: 200, body: found.truncated ? { ...forecast, truncated: true } : forecast }
})
