import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { listAgreements } from '../store/policies.js'

/** GET /sla/agreements?companyId=&limit=&cursor= → `{ items, nextCursor? }`, newest first. */
export const handler = httpNonPost(routes.listAgreements, async ({ query, caller }) => ({
  status: 200,
  body: await listAgreements(caller.tenantId, query),
}))
