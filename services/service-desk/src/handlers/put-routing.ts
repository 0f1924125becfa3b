import type { Routing } from '@relay/contracts/service-desk-sla'
import { StaleVersion, Unprocessable } from '@relay/core/outcomes'
import { routingProblems } from '../domain/routing.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/queues.js'
import { getRouting, putRouting, queueIds } from '../store/queues.js'

/** PUT /settings/ticket-routing → 200 + ETag (If-Match); a rule naming no queue of the tenant → 422. */
export const handler = httpNonPost(routes.putRouting, async ({ body, caller, ifMatch }) => {
  const settings = {
    rules: body.rules,
    ...(body.defaultQueueId ? { defaultQueueId: body.defaultQueueId } : {}),
  }
  const problems = routingProblems(settings, await queueIds(caller.tenantId))
  if (problems.length)
    throw new Unprocessable('The rules name queues that do not exist', { errors: problems })
  const current = await getRouting(caller.tenantId)
  if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
  const next: Routing = { ...settings, version: current.version + 1 }
  await putRouting(caller.tenantId, next, current.version)
  return { status: 200, body: next, version: next.version }
})
