import { httpNonPost } from '../kit.js'
import * as routes from '../routes/companies.js'
import { listCompanies } from '../store/companies.js'

/** GET /companies?limit=&cursor= → `{ items, nextCursor? }`, newest first. */
export const handler = httpNonPost(routes.listCompanies, async ({ query, caller }) => {
  return { status: 200, body: await listCompanies(caller.tenantId, query) }
})
