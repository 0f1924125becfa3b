import { QuotasQuery } from '@relay/contracts/pipeline'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getQuotas } from '../store/quotas.js'

/** GET /quotas?period=2026-Q4 → that period's quotas (+ ETag); empty until saved. */
export const handler = http({
  roles: READ_ROLES,
  query: QuotasQuery,
  async handle({ query, caller }) {
    const quotas = (await getQuotas(caller.tenantId, query.period)) ?? {
      period: query.period,
      quotas: [],
      version: 0,
    }
    return { status: 200, body: quotas, version: quotas.version }
  },
})
