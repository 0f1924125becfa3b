import type { BusinessHours } from '@relay/contracts/service-desk-sla'
import { nowIso } from '@relay/core/ids'
import { Invalid, StaleVersion, Unprocessable } from '@relay/core/outcomes'
import { calendarProblems } from '../domain/business-hours.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { getBusinessHours, getPolicy, putBusinessHours } from '../store/policies.js'

/**
 * PUT /sla/business-hours → 200 + ETag: the zone, weekly windows, holidays and default policy.
 * A bad zone, overlapping windows or a week never open → 400 naming the field; an unknown default
 * policy → 422. Clocks already running keep the due times they were given.
 */
export const handler = httpNonPost(routes.putBusinessHours, async ({ body, caller, ifMatch }) => {
  const hours = Object.fromEntries(
    Object.entries(body.hours).filter(([, w]) => w && w.length > 0),
  ) as BusinessHours['hours']
  const holidays = [...new Set(body.holidays ?? [])].sort()
  const problems = calendarProblems({ timeZone: body.timeZone, hours, holidays })
  if (problems.length) throw new Invalid(problems)
  if (body.defaultPolicyId && !(await getPolicy(caller.tenantId, body.defaultPolicyId)))
    throw new Unprocessable('No SLA policy with this id', {
      errors: [{ field: 'defaultPolicyId', code: 'unknown_policy', message: 'No such policy' }],
    })
  const current = await getBusinessHours(caller.tenantId)
  if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
  const next: BusinessHours = {
    timeZone: body.timeZone,
    hours,
    holidays,
    ...(body.defaultPolicyId ? { defaultPolicyId: body.defaultPolicyId } : {}),
    version: current.version + 1,
    updatedAt: nowIso(),
  }
  await putBusinessHours(caller.tenantId, next, current.version)
  return { status: 200, body: next, version: next.version }
})
