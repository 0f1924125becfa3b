import type { Agreement } from '@relay/contracts/service-desk-sla'
import { newId, nowIso } from '@relay/core/ids'
import { Unprocessable } from '@relay/core/outcomes'
import { http } from '../kit.js'
import * as routes from '../routes/sla.js'
import { getPolicy, insertAgreement } from '../store/policies.js'

/**
 * POST /sla/agreements → 201 + Location: a company's service contract. Its tickets opened between
 * `startsOn` and `endsOn` (the tenant's local dates) run under its policy; of overlapping ones the
 * newest wins. An unknown policy → 422.
 */
export const handler = http(routes.createAgreement, async ({ body, caller }) => {
  if (!(await getPolicy(caller.tenantId, body.policyId)))
    throw new Unprocessable('No SLA policy with this id', {
      errors: [{ field: 'policyId', code: 'unknown_policy', message: 'No such policy' }],
    })
  const agreement: Agreement = { id: newId(), ...body, version: 1, updatedAt: nowIso() }
  await insertAgreement(caller.tenantId, agreement)
  return { status: 201, body: agreement, version: 1, location: `/sla/agreements/${agreement.id}` }
})
