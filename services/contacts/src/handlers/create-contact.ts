import { CreateContact } from '@relay/contracts/contacts'
import { newId, nowIso } from '@relay/core/ids'
import { WRITE_ROLES } from '../access.js'
import { buildContact } from '../domain/contact.js'
import { http } from '../http.js'
import { insertContact } from '../store.js'

/** POST /contacts → 201 + Location + ETag; the contact and Contact.Created are written together. */
export const handler = http({
  roles: WRITE_ROLES,
  body: CreateContact,
  async handle({ body, caller, correlationId }) {
    const contact = buildContact(body, { id: newId(), ownerId: caller.userId, now: nowIso() })
    await insertContact(caller.tenantId, contact, correlationId)
    return { status: 201, body: contact, version: contact.version, location: `/contacts/${contact.id}` }
  },
})
