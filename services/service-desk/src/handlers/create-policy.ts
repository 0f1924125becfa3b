import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { policyOf } from '../domain/sla.js'
import { http } from '../kit.js'
import * as routes from '../routes/sla.js'
import { savePolicy } from '../store/policies.js'

/** POST /sla/policies → 201 + Location: targets by priority in business minutes, warning lead, escalations. */
export const handler = http(routes.createPolicy, async ({ body, caller }) => {
  const now = nowIso()
  const { policy, problems } = policyOf(body, { id: newId(), version: 1, createdAt: now, updatedAt: now })
  if (problems.length) throw new Invalid(problems)
  await savePolicy(caller.tenantId, policy, 0)
  return { status: 201, body: policy, version: policy.version, location: `/sla/policies/${policy.id}` }
})
