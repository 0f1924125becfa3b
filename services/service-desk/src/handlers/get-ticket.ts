import { NotFound } from '@relay/core/outcomes'
import { publicTicket } from '../domain/ticket.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/tickets.js'
import { getTicket } from '../store/tickets.js'

/** GET /tickets/{id} → 200 + ETag; another tenant's ticket is 404. */
export const handler = httpNonPost(routes.getTicket, async ({ params, caller }) => {
  const ticket = await getTicket(caller.tenantId, params.id)
  if (!ticket) throw new NotFound('No ticket with this id.')
  return { status: 200, body: publicTicket(ticket), version: ticket.version }
})
