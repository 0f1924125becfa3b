import { httpNonPost } from '../kit.js'
import * as routes from '../routes/suppressions.js'
import { liftSuppression } from '../store/suppressions.js'

/** DELETE /suppressions/{email} → 204; an address not suppressed → 404. */
export const handler = httpNonPost(routes.deleteSuppression, async ({ params, caller }) => {
  await liftSuppression(caller.tenantId, params.email)
  return { status: 204 }
})
