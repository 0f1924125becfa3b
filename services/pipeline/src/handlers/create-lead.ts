import { CreateLead } from '@relay/contracts/leads'
import { SALES_ROLES } from '../access.js'
import { http } from '../http.js'
import { intakeLead } from '../store/leads.js'

/**
 * POST /leads → 201 + Location; scored with the tenant's rules, assigned by its assignment rules
 * when no owner is given; Lead.Created (and Lead.Assigned) written with it.
 */
export const handler = http({
  roles: SALES_ROLES,
  body: CreateLead,
  async handle({ body, caller, correlationId }) {
    const lead = await intakeLead(caller.tenantId, body, { userId: caller.userId, correlationId })
    return { status: 201, body: lead, version: lead.version, location: `/leads/${lead.id}` }
  },
})
