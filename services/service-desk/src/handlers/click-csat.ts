import { httpNonPost } from '../kit.js'
import * as routes from '../routes/intake.js'
import { rateThroughLink } from '../store/ratings.js'

/**
 * GET /public/csat/{token}?score=1..5 (no token header: the link is the credential) → 200 the
 * rating recorded. A second click with the same score answers the same (mail scanners follow
 * links); another score → 409; a forged, expired or superseded link → 401.
 */
export const handler = httpNonPost(routes.clickCsat, async ({ params, query, correlationId }) => ({
  status: 200,
  body: await rateThroughLink(params.token, { score: query.score }, correlationId),
  headers: { 'cache-control': 'no-store' },
}))
