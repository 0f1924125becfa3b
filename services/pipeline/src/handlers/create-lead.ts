import { http } from '../kit.js'
import * as routes from '../routes/leads.js'
import { intakeLead } from '../store/leads.js'

/**
 * POST /leads → 201 + Location; scored with the tenant's rules, assigned by its assignment rules
 * when no owner is given; Lead.Created (and Lead.Assigned) written with it.
 */
export const handler = http(routes.createLead, async ({ body, caller, correlationId }) => {
  const lead = await intakeLead(caller.tenantId, body, { userId: caller.userId, correlationId })
  return { status: 201, body: lead, version: lead.version, location: `/leads/${lead.id}` }
})
