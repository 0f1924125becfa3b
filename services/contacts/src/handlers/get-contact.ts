import { ContactIdParams } from '@relay/contracts/contacts'
import { NotFound } from '@relay/core/outcomes'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getContact } from '../store/contacts.js'

/** GET /contacts/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = http({
  roles: READ_ROLES,
  params: ContactIdParams,
  async handle({ params, caller }) {
    const contact = await getContact(caller.tenantId, params.id)
    if (!contact) throw new NotFound('No contact with this id.')
    return { status: 200, body: contact, version: contact.version }
  },
})
