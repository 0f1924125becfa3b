import { httpNonPost } from '../kit.js'
import * as routes from '../routes/tickets.js'
import { contactIdForEmail } from '../store/requesters.js'
import { listTickets } from '../store/tickets.js'

/**
 * GET /tickets → `{ items, nextCursor? }`, newest first. `requesterEmail` is looked up in the
 * requester projection: the contact's tickets when it belongs to one, else the tickets that came from it.
 */
export const handler = httpNonPost(routes.listTickets, async ({ query, caller }) => {
  const contactId =
    query.contactId ??
    (query.requesterEmail ? await contactIdForEmail(caller.tenantId, query.requesterEmail) : undefined)
  const requester = contactId ? { contactId } : query.requesterEmail ? { email: query.requesterEmail } : {}
  return { status: 200, body: await listTickets(caller.tenantId, query, requester) }
})
