import { httpNonPost } from '../kit.js'
import * as routes from '../routes/segments.js'
import { updateSegment } from '../store/segments.js'

/** PATCH /segments/{id} → 200 + ETag; stale If-Match → 412, a concurrent change → 409. */
export const handler = httpNonPost(routes.updateSegment, async ({ params, body, caller, ifMatch }) => {
  const segment = await updateSegment(caller.tenantId, params.id, body, ifMatch)
  return { status: 200, body: segment, version: segment.version }
})
