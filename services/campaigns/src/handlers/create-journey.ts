import { http } from '../kit.js'
import * as routes from '../routes/journeys.js'
import { insertJourney } from '../store/journeys.js'

/** POST /journeys → 201 + Location; a trigger or exit journeys cannot follow → 400 naming it. */
export const handler = http(routes.createJourney, async ({ body, caller }) => {
  const journey = await insertJourney(caller.tenantId, body)
  return { status: 201, body: journey, version: journey.version, location: `/journeys/${journey.id}` }
})
