import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { buildRegistration, registrationProblems } from '../domain/registration.js'
import { http } from '../kit.js'
import * as routes from '../routes/field.js'
import { insertRegistration } from '../store/registrations.js'

/** POST /registrations → 201 + Location: a contact's product, serial and warranty. */
export const handler = http(routes.createRegistration, async ({ caller, body }) => {
  const problems = registrationProblems(body)
  if (problems.length) throw new Invalid(problems)
  const registration = buildRegistration(body, { id: newId(), now: nowIso() })
  await insertRegistration(caller.tenantId, registration)
  return {
    status: 201,
    body: registration,
    version: registration.version,
    location: `/registrations/${registration.id}`,
  }
})
