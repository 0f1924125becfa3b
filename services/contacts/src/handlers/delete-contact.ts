import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { eraseContact, getContact, removeContact } from '../store/contacts.js'

/**
 * DELETE /contacts/{id}[?erase=true] → 204; its emails become free. `erase=true` also erases its
 * timeline and publishes Contact.Erased (right to erasure). Missing (or another tenant's) → 404;
 * stale If-Match → 412; changed meanwhile → 409 (412 with If-Match), or 404 if it is gone.
 */
export const handler = httpNonPost(
  routes.deleteContact,
  async ({ params, query, caller, ifMatch, correlationId }) => {
    const current = await getContact(caller.tenantId, params.id)
    if (!current) throw new NotFound('No contact with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
    if (query.erase === 'true') await eraseContact(caller.tenantId, current, correlationId)
    else await removeContact(caller.tenantId, current, correlationId)
    return { status: 204 }
  },
)
