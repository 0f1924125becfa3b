import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { getContact } from '../store/contacts.js'

/** GET /contacts/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getContact, async ({ params, caller }) => {
  const contact = await getContact(caller.tenantId, params.id)
  if (!contact) throw new NotFound('No contact with this id.')
  return { status: 200, body: contact, version: contact.version }
})
