import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/agents.js'
import { getAgent } from '../store/agents.js'

/** GET /agents/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getAgent, async ({ params, caller }) => {
  const agent = await getAgent(caller.tenantId, params.id)
  if (!agent) throw new NotFound('No agent with this id.')
  return { status: 200, body: agent, version: agent.version }
})
