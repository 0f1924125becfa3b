import { nowIso } from '@relay/core/ids'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { applyCompanyPatch, diffCompanies } from '../domain/company.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/companies.js'
import { getCompany, replaceCompany } from '../store/companies.js'

/** PATCH /companies/{id} (merge-patch) → 200 + ETag; If-Match stale → 412; nothing changed → no write. */
export const handler = httpNonPost(
  routes.updateCompany,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const current = await getCompany(caller.tenantId, params.id)
    if (!current) throw new NotFound('No company with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
    const next = applyCompanyPatch(current, body, nowIso())
    const changes = diffCompanies(current, next)
    if (Object.keys(changes).length === 0) return { status: 200, body: current, version: current.version }
    await replaceCompany(caller.tenantId, next, current.version, changes, correlationId)
    return { status: 200, body: next, version: next.version }
  },
)
