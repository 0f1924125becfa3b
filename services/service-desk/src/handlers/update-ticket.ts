import { publicTicket } from '../domain/ticket.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/tickets.js'
import { patchTicket } from '../store/ticket-changes.js'

/**
 * PATCH /tickets/{id} (merge-patch, If-Match) → 200 + ETag; a move the status rules refuse → 409
 * naming the allowed ones; stale If-Match → 412; nothing changed → no write, no event.
 */
export const handler = httpNonPost(
  routes.updateTicket,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const ticket = await patchTicket(caller.tenantId, params.id, body, {
      actorId: caller.userId,
      correlationId,
      ifMatch,
    })
    return { status: 200, body: publicTicket(ticket), version: ticket.version }
  },
)
