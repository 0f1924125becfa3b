import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/companies.js'
import { getCompany, removeCompanyIfUnused } from '../store/companies.js'

/** DELETE /companies/{id} → 204; 409 while contacts still belong to it (unlink them first). */
export const handler = httpNonPost(
  routes.deleteCompany,
  async ({ params, caller, ifMatch, correlationId }) => {
    const current = await getCompany(caller.tenantId, params.id)
    if (!current) throw new NotFound('No company with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
    // A contact linked (or the company edited) between the read and the delete fails the delete's
    // condition: 409 (or 412 with If-Match), as any other write racing with it.
    await removeCompanyIfUnused(caller.tenantId, current.id, current.version, correlationId)
    return { status: 204 }
  },
)
