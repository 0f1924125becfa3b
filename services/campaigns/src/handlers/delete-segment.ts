import { httpNonPost } from '../kit.js'
import * as routes from '../routes/segments.js'
import { deleteSegment } from '../store/segments.js'

/** DELETE /segments/{id} → 204; missing → 404. */
export const handler = httpNonPost(routes.deleteSegment, async ({ params, caller }) => {
  await deleteSegment(caller.tenantId, params.id)
  return { status: 204 }
})
