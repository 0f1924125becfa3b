import { CreateCompany } from '@relay/contracts/companies'
import { newId, nowIso } from '@relay/core/ids'
import { WRITE_ROLES } from '../access.js'
import { buildCompany } from '../domain/company.js'
import { http } from '../http.js'
import { insertCompany } from '../store/companies.js'

/** POST /companies → 201 + Location + ETag, with Company.Created. */
export const handler = http({
  roles: WRITE_ROLES,
  body: CreateCompany,
  async handle({ body, caller, correlationId }) {
    const company = buildCompany(body, { id: newId(), ownerId: caller.userId, now: nowIso() })
    await insertCompany(caller.tenantId, company, correlationId)
    return { status: 201, body: company, version: company.version, location: `/companies/${company.id}` }
  },
})
