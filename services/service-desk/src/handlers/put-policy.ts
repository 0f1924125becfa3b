import { nowIso } from '@relay/core/ids'
import { Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { policyOf } from '../domain/sla.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { getPolicy, savePolicy } from '../store/policies.js'

/** PUT /sla/policies/{id} → 200 + ETag (If-Match). New clocks use it; running ones keep their targets. */
export const handler = httpNonPost(routes.putPolicy, async ({ body, params, caller, ifMatch }) => {
  const current = await getPolicy(caller.tenantId, params.id)
  if (!current) throw new NotFound('No SLA policy with this id.')
  if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
  const { policy, problems } = policyOf(body, {
    id: current.id,
    version: current.version + 1,
    createdAt: current.createdAt,
    updatedAt: nowIso(),
  })
  if (problems.length) throw new Invalid(problems)
  await savePolicy(caller.tenantId, policy, current.version)
  return { status: 200, body: policy, version: policy.version }
})
