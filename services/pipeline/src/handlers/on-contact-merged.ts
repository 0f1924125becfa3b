import { ContactMergedV1 } from '@relay/contracts/contacts'
import { followMerge } from '../contact-sync.js'
import { subscriber } from '../subscriber.js'

/** Contact.Merged → deals, activities and lead links of the absorbed contact follow the surviving one. */
export const handler = subscriber({
  data: ContactMergedV1,
  async handle(event) {
    const { tenantId, data, correlationId } = event.detail
    await followMerge(tenantId, data.sourceId, data.id, correlationId)
    // The changes are written above (each with its own version guard and event); only the dedupe record remains.
    return []
  },
})
