import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getDeal } from '../store/deals.js'

/** GET /deals/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = http({
  roles: READ_ROLES,
  params: IdParams,
  async handle({ params, caller }) {
    const deal = await getDeal(caller.tenantId, params.id)
    if (!deal) throw notFound('No deal with this id.')
    return { status: 200, body: deal, version: deal.version }
  },
})
