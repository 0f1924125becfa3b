import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/comments.js'
import { listComments } from '../store/comments.js'
import { getTicket } from '../store/tickets.js'

/** GET /tickets/{id}/comments → `{ items, nextCursor? }`, oldest first; an unknown ticket is 404. */
export const handler = httpNonPost(routes.listComments, async ({ params, query, caller }) => {
  if (!(await getTicket(caller.tenantId, params.id))) throw new NotFound('No ticket with this id.')
  return { status: 200, body: await listComments(caller.tenantId, params.id, query) }
})
