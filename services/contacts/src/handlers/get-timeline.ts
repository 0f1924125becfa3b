import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/timeline.js'
import { getContact } from '../store/contacts.js'
import { listTimeline } from '../store/timeline.js'

/**
 * GET /contacts/{id}/timeline?limit=&cursor= → its interactions and its own changes, newest first.
 * Seam: other services' events (deals, tickets, campaigns) join as timeline entries written by a
 * subscriber of this service into the same partition (`TL#<ulid of occurredAt>`); this reader needs no change.
 */
export const handler = httpNonPost(routes.getTimeline, async ({ params, query, caller }) => {
  if (!(await getContact(caller.tenantId, params.id))) throw new NotFound('No contact with this id.')
  return { status: 200, body: await listTimeline(caller.tenantId, params.id, query) }
})
