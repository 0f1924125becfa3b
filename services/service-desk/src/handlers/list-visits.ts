import { httpNonPost } from '../kit.js'
import * as routes from '../routes/field.js'
import { listVisits } from '../store/visits.js'

/** GET /visits → visits by window start: a technician's, a ticket's, or all, within ?from=&to=. */
export const handler = httpNonPost(routes.listVisits, async ({ caller, query }) => ({
  status: 200,
  body: await listVisits(caller.tenantId, query),
}))
