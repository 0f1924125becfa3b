import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/leads.js'
import { getLead } from '../store/leads.js'

/** GET /leads/{id} → 200 + ETag, or 404. */
export const handler = httpNonPost(routes.getLead, async ({ params, caller }) => {
  const lead = await getLead(caller.tenantId, params.id)
  if (!lead) throw new NotFound('No lead with this id.')
  return { status: 200, body: lead, version: lead.version }
})
