import { publicTicket } from '../domain/ticket.js'
import { http } from '../kit.js'
import * as routes from '../routes/tickets.js'
import { openTicket } from '../store/ticket-changes.js'

/**
 * POST /tickets → 201 + Location + ETag, with Ticket.Opened and (no agent named) an `assign-ticket`
 * work message in the same transaction; the description is the requester's first comment.
 */
export const handler = http(routes.createTicket, async ({ body, caller, correlationId }) => {
  const ticket = publicTicket(
    await openTicket(caller.tenantId, body, { actorId: caller.userId, correlationId }),
  )
  return { status: 201, body: ticket, version: ticket.version, location: `/tickets/${ticket.id}` }
})
