import { ContactMergedV1 } from '@relay/contracts/contacts'
import { emailsStated } from '../domain/contact-mail.js'
import { followMerge } from '../store/contact-changes.js'
import { contactMailTombstone, projectContactMail } from '../store/contacts.js'
import { subscriber } from '../subscriber.js'

/**
 * Contact.Merged → deals, activities and lead links of the absorbed contact follow the surviving one;
 * the survivor's email projection takes the merged emails (version-guarded, as for Contact.Updated)
 * and the absorbed contact's projection becomes a tombstone.
 */
export const handler = subscriber({
  data: ContactMergedV1,
  async handle(event) {
    const { tenantId, data, correlationId } = event.detail
    await followMerge(tenantId, data.sourceId, data.id, correlationId)
    // The changes above are written (each with its own version guard and event); the projection
    // writes go with the dedupe record.
    const stated = emailsStated(data.changes, data.version)
    return [
      ...(stated ? await projectContactMail(tenantId, data.id, stated) : []),
      // The event does not carry the absorbed contact's last version; a tombstone needs none.
      contactMailTombstone(tenantId, data.sourceId, 0, 'merged'),
    ]
  },
})
