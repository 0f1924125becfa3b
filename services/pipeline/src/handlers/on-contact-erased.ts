import { subscriber } from '../kit.js'
import { followErasure } from '../store/contact-changes.js'
import { contactTombstone } from '../store/contacts.js'
import { onContactErased } from '../subscriptions.js'

/**
 * Contact.Erased → deals forget the contact, its activities go, its source leads lose personal data,
 * and its projection becomes a tombstone (with the dedupe record) that no late event refills.
 */
export const handler = subscriber(onContactErased, async (event) => {
  const { tenantId, data, correlationId } = event.detail
  await followErasure(tenantId, data.id, correlationId)
  return contactTombstone(tenantId, data.id, data.version, 'erased')
})
