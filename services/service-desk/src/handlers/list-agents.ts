import { httpNonPost } from '../kit.js'
import * as routes from '../routes/agents.js'
import { listAgents } from '../store/agents.js'

/** GET /agents?limit=&cursor= → `{ items, nextCursor? }`, each with its current load. */
export const handler = httpNonPost(routes.listAgents, async ({ query, caller }) => ({
  status: 200,
  body: await listAgents(caller.tenantId, query),
}))
