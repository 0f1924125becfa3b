import { NotFound } from '@relay/core/outcomes'
import { clockView } from '../domain/sla.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { calendarOf, getBusinessHours, getPolicy } from '../store/policies.js'
import { ticketClocks } from '../store/sla.js'
import { getTicket } from '../store/tickets.js'

/** GET /tickets/{id}/sla → 200: every clock of the ticket (each next-response cycle too), as of now. */
export const handler = httpNonPost(routes.getTicketSla, async ({ params, caller }) => {
  const ticket = await getTicket(caller.tenantId, params.id)
  if (!ticket) throw new NotFound('No ticket with this id.')
  const [clocks, hours, policy] = await Promise.all([
    ticketClocks(caller.tenantId, ticket.id),
    getBusinessHours(caller.tenantId),
    ticket.sla?.policyId ? getPolicy(caller.tenantId, ticket.sla.policyId) : undefined,
  ])
  const body = clockView(
    clocks,
    ticket.sla,
    calendarOf(hours),
    policy?.hours ?? 'business',
    new Date().toISOString(),
  )
  return { status: 200, body, version: ticket.version }
})
