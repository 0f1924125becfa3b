import { CreateLead, LEAD_EVENT } from '@relay/contracts/leads'
import { newId, nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { buildLead } from '../domain/lead.js'
import { http } from '../http.js'
import { writeEntity } from '../store.js'
import { leadScoring } from '../support.js'

/** POST /leads → 201 + Location; scored with the tenant's rules; Lead.Created written with it. */
export const handler = http({
  roles: SALES_ROLES,
  body: CreateLead,
  async handle({ body, caller, correlationId }) {
    const { rules } = await leadScoring(caller.tenantId)
    const lead = buildLead(body, { id: newId(), userId: caller.userId, now: nowIso(), rules })
    await writeEntity(
      caller.tenantId,
      'LEAD',
      lead,
      0,
      [{ detailType: LEAD_EVENT.created, data: lead }],
      correlationId,
    )
    return { status: 201, body: lead, version: lead.version, location: `/leads/${lead.id}` }
  },
})
