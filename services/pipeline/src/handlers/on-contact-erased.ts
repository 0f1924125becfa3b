import { ContactErasedV1 } from '@relay/contracts/contacts'
import { followErasure } from '../store/contact-changes.js'
import { contactMailTombstone } from '../store/contacts.js'
import { subscriber } from '../subscriber.js'

/**
 * Contact.Erased → deals forget the contact, its activities go, its source leads lose personal data,
 * and its email projection becomes a tombstone (with the dedupe record) that no late event refills.
 */
export const handler = subscriber({
  data: ContactErasedV1,
  async handle(event) {
    const { tenantId, data, correlationId } = event.detail
    await followErasure(tenantId, data.id, correlationId)
    return [contactMailTombstone(tenantId, data.id, data.version, 'erased')]
  },
})
