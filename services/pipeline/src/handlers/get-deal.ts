import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/deals.js'
import { getDeal } from '../store/deals.js'

/** GET /deals/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getDeal, async ({ params, caller }) => {
  const deal = await getDeal(caller.tenantId, params.id)
  if (!deal) throw new NotFound('No deal with this id.')
  return { status: 200, body: deal, version: deal.version }
})
