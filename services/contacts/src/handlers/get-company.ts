import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/companies.js'
import { getCompany } from '../store/companies.js'

/** GET /companies/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getCompany, async ({ params, caller }) => {
  const company = await getCompany(caller.tenantId, params.id)
  if (!company) throw new NotFound('No company with this id.')
  return { status: 200, body: company, version: company.version }
})
