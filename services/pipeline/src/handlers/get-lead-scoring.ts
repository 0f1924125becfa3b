import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { leadScoring } from '../store/settings.js'

/** GET /settings/lead-scoring → the tenant's scoring rules (+ ETag); none until saved. */
export const handler = httpNonPost(routes.getLeadScoring, async ({ caller }) => {
  const scoring = await leadScoring(caller.tenantId)
  return { status: 200, body: scoring, version: scoring.version }
})
