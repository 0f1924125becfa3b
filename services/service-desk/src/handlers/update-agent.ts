import type { Agent } from '@relay/contracts/service-desk-sla'
import { nowIso } from '@relay/core/ids'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { gainsRoom } from '../domain/assignment.js'
import { httpNonPost } from '../kit.js'
import { pickUpItem } from '../queues.js'
import * as routes from '../routes/agents.js'
import { getAgent, saveAgent } from '../store/agents.js'

/**
 * PATCH /agents/{id} → 200 + ETag (If-Match; `email: null` clears it). A capacity below the current
 * load takes effect as tickets are solved: nothing is taken away, nothing new comes meanwhile. An
 * agent with more room (back available, capacity raised, new skills or languages) picks up waiting
 * tickets: an `assign-ticket` pick-up in the same transaction.
 */
export const handler = httpNonPost(
  routes.updateAgent,
  async ({ body, params, caller, ifMatch, correlationId }) => {
    const current = await getAgent(caller.tenantId, params.id)
    if (!current) throw new NotFound('No agent with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
    const { email, skills, languages, ...rest } = body
    const { email: _old, ...kept } = current
    const next: Agent = {
      ...kept,
      ...rest,
      ...(email === null ? {} : { email: email ?? current.email }),
      ...(skills ? { skills: [...new Set(skills)] } : {}),
      ...(languages ? { languages: [...new Set(languages)] } : {}),
      version: current.version + 1,
      updatedAt: nowIso(),
    }
    if (next.email === undefined) delete next.email
    const pickUp = gainsRoom(current, next) ? [pickUpItem(caller.tenantId, next.id, correlationId)] : []
    await saveAgent(caller.tenantId, next, current.version, pickUp)
    return { status: 200, body: next, version: next.version }
  },
)
