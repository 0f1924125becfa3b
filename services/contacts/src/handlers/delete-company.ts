import { CompanyIdParams } from '@relay/contracts/companies'
import { conflict, notFound, preconditionFailed } from '@relay/core/errors'
import { DELETE_ROLES } from '../access.js'
import { http } from '../http.js'
import { getCompany, removeCompanyIfUnused } from '../store/companies.js'
import { writeOrExplain } from '../store/contacts.js'

/** DELETE /companies/{id} → 204; 409 while contacts still belong to it (unlink them first). */
export const handler = http({
  roles: DELETE_ROLES,
  params: CompanyIdParams,
  async handle({ params, caller, ifMatch, correlationId }) {
    const current = await getCompany(caller.tenantId, params.id)
    if (!current) throw notFound('No company with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw preconditionFailed()
    let outcome = 'deleted' as 'deleted' | 'has-members'
    // A contact linked (or the company edited) between the read and the delete fails the delete's
    // condition: 409 (or 412 with If-Match), as any other write racing with it.
    await writeOrExplain(
      caller.tenantId,
      current.id,
      ifMatch,
      async () => {
        outcome = await removeCompanyIfUnused(caller.tenantId, current.id, current.version, correlationId)
      },
      async () => (await getCompany(caller.tenantId, current.id)) !== undefined,
    )
    if (outcome === 'has-members') throw conflict('Contacts still belong to this company; unlink them first.')
    return { status: 204 }
  },
})
