import { ContactIdParams } from '@relay/contracts/contacts'
import { notFound, preconditionFailed } from '@relay/core/errors'
import { DELETE_ROLES } from '../access.js'
import { writeOrExplain } from '../concurrency.js'
import { http } from '../http.js'
import { getContact, removeContact } from '../store.js'

/**
 * DELETE /contacts/{id} → 204. Missing (or another tenant's) → 404; stale If-Match → 412; changed
 * by someone else between read and delete → 409 (412 with If-Match), or 404 if it is gone.
 */
export const handler = http({
  roles: DELETE_ROLES,
  params: ContactIdParams,
  async handle({ params, caller, ifMatch, correlationId }) {
    const current = await getContact(caller.tenantId, params.id)
    if (!current) throw notFound('No contact with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw preconditionFailed()
    await writeOrExplain(caller.tenantId, current.id, ifMatch, () =>
      removeContact(caller.tenantId, current.id, current.version, correlationId),
    )
    return { status: 204 }
  },
})
