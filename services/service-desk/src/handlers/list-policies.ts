import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { listPolicies } from '../store/policies.js'

/** GET /sla/policies?limit=&cursor= → `{ items, nextCursor? }`. */
export const handler = httpNonPost(routes.listPolicies, async ({ query, caller }) => ({
  status: 200,
  body: await listPolicies(caller.tenantId, query),
}))
