import { httpNonPost } from '../kit.js'
import * as routes from '../routes/segments.js'
import { requireSegment } from '../store/segments.js'

/** GET /segments/{id} → the segment + ETag; another tenant's is 404. */
export const handler = httpNonPost(routes.getSegment, async ({ params, caller }) => {
  const segment = await requireSegment(caller.tenantId, params.id)
  return { status: 200, body: segment, version: segment.version }
})
