import { CompanyIdParams } from '@relay/contracts/companies'
import { conflict, notFound, preconditionFailed } from '@relay/core/errors'
import { DELETE_ROLES } from '../access.js'
import { writeOrExplain } from '../concurrency.js'
import { http } from '../http.js'
import { companyHasMembers, getCompany, removeCompany } from '../store.js'

/** DELETE /companies/{id} → 204; 409 while contacts still belong to it (unlink them first). */
export const handler = http({
  roles: DELETE_ROLES,
  params: CompanyIdParams,
  async handle({ params, caller, ifMatch, correlationId }) {
    const current = await getCompany(caller.tenantId, params.id)
    if (!current) throw notFound('No company with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw preconditionFailed()
    if (await companyHasMembers(caller.tenantId, current.id)) {
      throw conflict('Contacts still belong to this company; unlink them first.')
    }
    await writeOrExplain(
      caller.tenantId,
      current.id,
      ifMatch,
      () => removeCompany(caller.tenantId, current.id, current.version, correlationId),
      async () => (await getCompany(caller.tenantId, current.id)) !== undefined,
    )
    return { status: 204 }
  },
})
