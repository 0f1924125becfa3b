import { nowIso } from '@relay/core/ids'
import { Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { applyRegistrationPatch, registrationProblems } from '../domain/registration.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/field.js'
import { getRegistration, replaceRegistration } from '../store/registrations.js'

/** PATCH /registrations/{id} (If-Match when given) → the registration after the change. */
export const handler = httpNonPost(routes.updateRegistration, async ({ caller, params, body, ifMatch }) => {
  const current = await getRegistration(caller.tenantId, params.id)
  if (!current) throw new NotFound('No registration with this id.')
  if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
  const next = applyRegistrationPatch(current, body, nowIso())
  const problems = registrationProblems(next)
  if (problems.length) throw new Invalid(problems)
  await replaceRegistration(caller.tenantId, next, current.version)
  return { status: 200, body: next, version: next.version }
})
