import { httpNonPost } from '../kit.js'
import * as routes from '../routes/leads.js'
import { listLeads } from '../store/leads.js'

/** GET /leads?status=&owner=&source=&limit=&cursor= → `{ items, nextCursor? }`, newest first. */
export const handler = httpNonPost(routes.listLeads, async ({ query, caller }) => {
  return { status: 200, body: await listLeads(caller.tenantId, query) }
})
