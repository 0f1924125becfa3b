import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import { getCustomerScores } from '../routes/insights.js'
import { getScores } from '../store/customers.js'

/** GET /analytics/customers/{contactId} → the contact's scores as of the last scoring run, or 404. */
export const handler = httpNonPost(getCustomerScores, async ({ params, caller }) => {
  const scores = await getScores(caller.tenantId, params.contactId)
  if (!scores)
    throw new NotFound('No customer scores for this contact (no purchase or engagement scored yet).')
  return { status: 200, body: scores }
})
