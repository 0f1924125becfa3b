import { PaginationQuery } from '@relay/contracts/common'
import { CompanyIdParams } from '@relay/contracts/companies'
import { NotFound } from '@relay/core/outcomes'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getCompany } from '../store/companies.js'
import { searchContacts } from '../store/search.js'

/** GET /companies/{id}/contacts?limit=&cursor= → the contacts that belong to it, newest first. */
export const handler = http({
  roles: READ_ROLES,
  params: CompanyIdParams,
  query: PaginationQuery,
  async handle({ params, query, caller }) {
    if (!(await getCompany(caller.tenantId, params.id))) throw new NotFound('No company with this id.')
    return { status: 200, body: await searchContacts(caller.tenantId, { ...query, companyId: params.id }) }
  },
})
