import { http } from '../kit.js'
import * as routes from '../routes/segments.js'
import { previewSegment } from '../store/members.js'

/**
 * POST /segments/preview → 200: what GET /segments/{id}/preview answers, for a rule tree not saved
 * yet (the segment builder's live count). Writes nothing; `Idempotency-Key` replays the answer.
 */
export const handler = http(routes.previewRule, async ({ body, caller }) => ({
  status: 200,
  body: await previewSegment(caller.tenantId, undefined, body.rule, { sample: body.sample ?? 10 }),
}))
