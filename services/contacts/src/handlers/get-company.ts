import { CompanyIdParams } from '@relay/contracts/companies'
import { NotFound } from '@relay/core/outcomes'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getCompany } from '../store/companies.js'

/** GET /companies/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = http({
  roles: READ_ROLES,
  params: CompanyIdParams,
  async handle({ params, caller }) {
    const company = await getCompany(caller.tenantId, params.id)
    if (!company) throw new NotFound('No company with this id.')
    return { status: 200, body: company, version: company.version }
  },
})
