import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/field.js'
import { getVisit } from '../store/visits.js'

/** GET /visits/{id} → the visit with its ETag. */
export const handler = httpNonPost(routes.getVisit, async ({ caller, params }) => {
  const v = await getVisit(caller.tenantId, params.id)
  if (!v) throw new NotFound('No visit with this id.')
  return { status: 200, body: v, version: v.version }
})
