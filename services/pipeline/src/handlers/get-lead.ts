import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getLead } from '../store/leads.js'

/** GET /leads/{id} → 200 + ETag, or 404. */
export const handler = http({
  roles: READ_ROLES,
  params: IdParams,
  async handle({ params, caller }) {
    const lead = await getLead(caller.tenantId, params.id)
    if (!lead) throw notFound('No lead with this id.')
    return { status: 200, body: lead, version: lead.version }
  },
})
