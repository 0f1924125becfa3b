import { httpNonPost } from '../kit.js'
import * as routes from '../routes/segments.js'
import { previewSegment } from '../store/members.js'
import { requireSegment } from '../store/segments.js'

/**
 * GET /segments/{id}/preview[?sample=n] → who a campaign would reach now: the count (rule matched,
 * email consent granted, not suppressed), the newest `sample` members (10 by default), and what was
 * left out and why.
 */
export const handler = httpNonPost(routes.previewSegment, async ({ params, query, caller }) => {
  const segment = await requireSegment(caller.tenantId, params.id)
  const body = await previewSegment(caller.tenantId, segment.id, segment.rule, { sample: query.sample ?? 10 })
  return { status: 200, body }
})
