import { httpNonPost } from '../kit.js'
import * as routes from '../routes/journeys.js'
import { requireJourney } from '../store/journeys.js'

/** GET /journeys/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getJourney, async ({ params, caller }) => {
  const journey = await requireJourney(caller.tenantId, params.id)
  return { status: 200, body: journey, version: journey.version }
})
