import { httpNonPost } from '../kit.js'
import * as routes from '../routes/journeys.js'
import { listEnrolments, requireJourney } from '../store/journeys.js'

/** GET /journeys/{id}/runs → a page of the journey's runs, newest first (404 for an unknown journey). */
export const handler = httpNonPost(routes.listJourneyRuns, async ({ params, query, caller }) => {
  await requireJourney(caller.tenantId, params.id)
  return { status: 200, body: await listEnrolments(caller.tenantId, params.id, query) }
})
