import { combine } from '@relay/core/work'
import { emailsStated } from '../domain/contact-mail.js'
import { subscriber } from '../kit.js'
import { followMerge } from '../store/contact-changes.js'
import { contactTombstone, projectContactMail } from '../store/contacts.js'
import { onContactMerged } from '../subscriptions.js'

/**
 * Contact.Merged → deals, activities, converted leads and lead links of the absorbed contact follow
 * the surviving one; the survivor's email projection takes the merged emails (version-guarded, as
 * for Contact.Updated) and the absorbed contact's projection becomes a tombstone naming the survivor.
 */
export const handler = subscriber(onContactMerged, async (event) => {
  const { tenantId, data, correlationId } = event.detail
  await followMerge(tenantId, data.sourceId, data.id, correlationId)
  // The changes above are written (each with its own version guard and event); the projection
  // writes go with the dedupe record.
  const stated = emailsStated(data.changes, data.version)
  return combine(
    stated ? await projectContactMail(tenantId, data.id, stated) : undefined,
    // The event does not carry the absorbed contact's last version; a tombstone needs none.
    contactTombstone(tenantId, data.sourceId, 0, 'merged', data.id),
  )
})
