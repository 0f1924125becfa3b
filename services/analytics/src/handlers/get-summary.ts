import { httpNonPost } from '../kit.js'
import { getSummary as getSummaryRoute } from '../routes/summary.js'
import { getSummary } from '../store/summary.js'

/** GET /analytics/summary → `{ contacts: { total }, updatedAt }` of the caller's tenant. */
export const handler = httpNonPost(getSummaryRoute, async ({ caller }) => {
  return { status: 200, body: await getSummary(caller.tenantId) }
})
