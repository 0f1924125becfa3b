import { nowIso } from '@relay/core/ids'
import { NotFound } from '@relay/core/outcomes'
import { publicTicket } from '../domain/ticket.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/tickets.js'
import { coverageOf } from '../store/registrations.js'
import { getTicket } from '../store/tickets.js'

/** GET /tickets/{id} → 200 + ETag, with the requester's warranty coverage today (UTC); another tenant's ticket is 404. */
export const handler = httpNonPost(routes.getTicket, async ({ params, caller }) => {
  const ticket = await getTicket(caller.tenantId, params.id)
  if (!ticket) throw new NotFound('No ticket with this id.')
  const coverage = await coverageOf(caller.tenantId, ticket.requester.contactId, nowIso().slice(0, 10))
  return { status: 200, body: { ...publicTicket(ticket), coverage }, version: ticket.version }
})
