import { http } from '../kit.js'
import * as routes from '../routes/segments.js'
import { insertSegment } from '../store/segments.js'

/** POST /segments → 201 + Location: the rule tree was checked by its schema (depth, size, operands). */
export const handler = http(routes.createSegment, async ({ body, caller }) => {
  const segment = await insertSegment(caller.tenantId, body, caller.userId)
  return { status: 201, body: segment, version: segment.version, location: `/segments/${segment.id}` }
})
