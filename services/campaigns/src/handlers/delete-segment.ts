import { httpNonPost } from '../kit.js'
import * as routes from '../routes/segments.js'
import { deleteSegment } from '../store/segments.js'

/** DELETE /segments/{id} → 204; missing → 404; a stale If-Match → 412. */
export const handler = httpNonPost(routes.deleteSegment, async ({ params, caller, ifMatch }) => {
  await deleteSegment(caller.tenantId, params.id, ifMatch)
  return { status: 204 }
})
