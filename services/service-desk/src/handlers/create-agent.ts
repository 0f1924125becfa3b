import type { Agent } from '@relay/contracts/service-desk-sla'
import { newId, nowIso } from '@relay/core/ids'
import { Conflict } from '@relay/core/outcomes'
import { gainsRoom } from '../domain/assignment.js'
import { http } from '../kit.js'
import { pickUpItem } from '../queues.js'
import * as routes from '../routes/agents.js'
import { getAgent, saveAgent } from '../store/agents.js'

/**
 * POST /agents → 201 + Location. Its id is the agent's user id when given (tickets name it as
 * assignee). An available agent picks up waiting tickets (`assign-ticket`, same transaction).
 */
export const handler = http(routes.createAgent, async ({ body, caller, correlationId }) => {
  const now = nowIso()
  const id = body.userId ?? newId()
  if (body.userId && (await getAgent(caller.tenantId, id)))
    throw new Conflict('This user is an agent already.', { id })
  const agent: Agent = {
    id,
    ...(body.userId ? { userId: body.userId } : {}),
    name: body.name,
    ...(body.email ? { email: body.email } : {}),
    skills: [...new Set(body.skills ?? [])],
    languages: [...new Set(body.languages ?? [])],
    capacity: body.capacity,
    availability: body.availability ?? 'available',
    load: 0,
    version: 1,
    createdAt: now,
    updatedAt: now,
  }
  const pickUp = gainsRoom(undefined, agent) ? [pickUpItem(caller.tenantId, id, correlationId)] : []
  await saveAgent(caller.tenantId, agent, 0, pickUp)
  return { status: 201, body: agent, version: 1, location: `/agents/${encodeURIComponent(id)}` }
})
