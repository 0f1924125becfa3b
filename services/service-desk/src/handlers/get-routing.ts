import { httpNonPost } from '../kit.js'
import * as routes from '../routes/queues.js'
import { getRouting } from '../store/queues.js'

/** GET /settings/ticket-routing → 200 + ETag (no rules, version 0, before the first PUT). */
export const handler = httpNonPost(routes.getRouting, async ({ caller }) => {
  const routing = await getRouting(caller.tenantId)
  return { status: 200, body: routing, version: routing.version }
})
