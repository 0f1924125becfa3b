import { httpNonPost } from '../kit.js'
import * as routes from '../routes/forecast.js'
import { getQuotas } from '../store/quotas.js'

/** GET /quotas?period=2026-Q4 → that period's quotas (+ ETag); empty until saved. */
export const handler = httpNonPost(routes.getQuotas, async ({ query, caller }) => {
  const quotas = (await getQuotas(caller.tenantId, query.period)) ?? {
    period: query.period,
    quotas: [],
    version: 0,
  }
  return { status: 200, body: quotas, version: quotas.version }
})
