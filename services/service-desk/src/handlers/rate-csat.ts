import { http } from '../kit.js'
import * as routes from '../routes/intake.js'
import { rateThroughLink } from '../store/ratings.js'

/**
 * POST /public/csat/{token} `{ score, comment? }` → 200 the rating: the first one recorded with
 * its comment, or the comment added to a one-click rating of the same score (once).
 */
export const handler = http(routes.rateCsat, async ({ params, body, correlationId }) => ({
  status: 200,
  body: await rateThroughLink(params.token, body, correlationId),
  headers: { 'cache-control': 'no-store' },
}))
