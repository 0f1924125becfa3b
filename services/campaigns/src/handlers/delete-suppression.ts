import { httpNonPost } from '../kit.js'
import * as routes from '../routes/suppressions.js'
import { liftSuppression } from '../store/suppressions.js'

/** DELETE /suppressions/{email} → 204; an address not suppressed → 404; If-Match other than 1 (suppressions are write-once) → 412. */
export const handler = httpNonPost(routes.deleteSuppression, async ({ params, caller, ifMatch }) => {
  await liftSuppression(caller.tenantId, params.email, ifMatch)
  return { status: 204 }
})
