import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/field.js'
import { getRegistration } from '../store/registrations.js'

/** GET /registrations/{id} → the registration with its ETag. */
export const handler = httpNonPost(routes.getRegistration, async ({ caller, params }) => {
  const r = await getRegistration(caller.tenantId, params.id)
  if (!r) throw new NotFound('No registration with this id.')
  return { status: 200, body: r, version: r.version }
})
