import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/companies.js'
import { getCompany } from '../store/companies.js'
import { searchContacts } from '../store/search.js'

/** GET /companies/{id}/contacts?limit=&cursor= → the contacts that belong to it, newest first. */
export const handler = httpNonPost(routes.listCompanyContacts, async ({ params, query, caller }) => {
  if (!(await getCompany(caller.tenantId, params.id))) throw new NotFound('No company with this id.')
  return { status: 200, body: await searchContacts(caller.tenantId, { ...query, companyId: params.id }) }
})
