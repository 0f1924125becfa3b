import { Conflict, Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { applyVisitPatch } from '../domain/visit.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/field.js'
import { getAgent } from '../store/agents.js'
import { changeVisit, getVisit } from '../store/visits.js'

/**
 * PATCH /visits/{id} (If-Match when given): reschedule (the slots that change are released and
 * taken; 409 when the technician is booked), complete with an outcome (Visit.Completed), or cancel
 * (its slots released). A finished visit takes only notes (409 otherwise).
 */
export const handler = httpNonPost(
  routes.updateVisit,
  async ({ caller, params, body, ifMatch, correlationId }) => {
    const current = await getVisit(caller.tenantId, params.id)
    if (!current) throw new NotFound('No visit with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
    if (body.technicianId && !(await getAgent(caller.tenantId, body.technicianId)))
      throw new Invalid([{ field: 'technicianId', code: 'not_found', message: 'No agent with this id' }])
    const decided = applyVisitPatch(current, body, Date.now())
    if (!decided.ok) {
      if (decided.problem.kind === 'invalid') throw new Invalid(decided.problem.problems)
      throw new Conflict(decided.problem.message, { status: current.status })
    }
    await changeVisit(caller.tenantId, current, decided.change, current.version, correlationId)
    return { status: 200, body: decided.change.next, version: decided.change.next.version }
  },
)
