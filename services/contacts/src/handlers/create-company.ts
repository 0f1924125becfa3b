import { newId, nowIso } from '@relay/core/ids'
import { buildCompany } from '../domain/company.js'
import { http } from '../kit.js'
import * as routes from '../routes/companies.js'
import { insertCompany } from '../store/companies.js'

/** POST /companies → 201 + Location + ETag, with Company.Created. */
export const handler = http(routes.createCompany, async ({ body, caller, correlationId }) => {
  const company = buildCompany(body, { id: newId(), ownerId: caller.userId, now: nowIso() })
  await insertCompany(caller.tenantId, company, correlationId)
  return { status: 201, body: company, version: company.version, location: `/companies/${company.id}` }
})
