import { ContactErasedV1 } from '@relay/contracts/contacts'
import { followErasure } from '../contact-sync.js'
import { subscriber } from '../subscriber.js'

/** Contact.Erased → deals forget the contact, its activities go, its source leads lose personal data. */
export const handler = subscriber({
  data: ContactErasedV1,
  async handle(event) {
    const { tenantId, data, correlationId } = event.detail
    await followErasure(tenantId, data.id, correlationId)
    return []
  },
})
