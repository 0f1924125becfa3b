import { ListCompaniesQuery } from '@relay/contracts/companies'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listCompanies } from '../store/companies.js'

/** GET /companies?limit=&cursor= → `{ items, nextCursor? }`, newest first. */
export const handler = http({
  roles: READ_ROLES,
  query: ListCompaniesQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listCompanies(caller.tenantId, query) }
  },
})
