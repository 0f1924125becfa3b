import { httpNonPost } from '../kit.js'
import * as routes from '../routes/journeys.js'
import { updateJourney } from '../store/journeys.js'

/** PATCH /journeys/{id} (If-Match) → 200 + ETag; a stale version → 412. */
export const handler = httpNonPost(routes.updateJourney, async ({ params, body, caller, ifMatch }) => {
  const journey = await updateJourney(caller.tenantId, params.id, body, ifMatch)
  return { status: 200, body: journey, version: journey.version }
})
