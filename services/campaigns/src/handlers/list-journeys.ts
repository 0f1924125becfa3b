import { httpNonPost } from '../kit.js'
import * as routes from '../routes/journeys.js'
import { listJourneys } from '../store/journeys.js'

/** GET /journeys → a page, newest first. */
export const handler = httpNonPost(routes.listJourneys, async ({ query, caller }) => ({
  status: 200,
  body: await listJourneys(caller.tenantId, query),
}))
