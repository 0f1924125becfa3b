import { httpNonPost } from '../kit.js'
import * as routes from '../routes/segments.js'
import { listSegments } from '../store/segments.js'

/** GET /segments → a page of segments, newest first. */
export const handler = httpNonPost(routes.listSegments, async ({ query, caller }) => ({
  status: 200,
  body: await listSegments(caller.tenantId, query),
}))
