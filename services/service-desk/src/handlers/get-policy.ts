import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { getPolicy } from '../store/policies.js'

/** GET /sla/policies/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getPolicy, async ({ params, caller }) => {
  const policy = await getPolicy(caller.tenantId, params.id)
  if (!policy) throw new NotFound('No SLA policy with this id.')
  return { status: 200, body: policy, version: policy.version }
})
