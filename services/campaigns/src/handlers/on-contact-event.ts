import { onChanged, onConsentChanged, onCreated } from '../domain/audience.js'
import { subscriber } from '../kit.js'
import { deletionWork, mergeWork, projectionWork } from '../store/audience.js'
import { audienceProjection } from '../subscriptions.js'

/**
 * Contact.Created / Updated / ConsentChanged / Merged / Deleted / Erased (crm.contacts) → the
 * contact's audience record. Each event changes only the fields it is newer for (by the contact's
 * version, domain/audience.ts), so redeliveries and any arrival order end in the same record; a
 * projection write that lost a race with another (the item's rev moved) throws, and the bus
 * delivers the event again.
 */
export const handler = subscriber(audienceProjection, async (event) => {
  const { tenantId } = event.detail
  switch (event.detailType) {
    case 'Contact.Created': {
      const contact = event.detail.data
      return projectionWork(tenantId, contact.id, (cur) => onCreated(cur, contact))
    }
    case 'Contact.Updated': {
      const { id, version, changes } = event.detail.data
      return projectionWork(tenantId, id, (cur) => onChanged(cur, id, version, changes))
    }
    case 'Contact.ConsentChanged': {
      const { id, version, channel, after } = event.detail.data
      return projectionWork(tenantId, id, (cur) => onConsentChanged(cur, id, version, channel, after.status))
    }
    case 'Contact.Merged': {
      const { id, version, sourceId, changes } = event.detail.data
      return mergeWork(tenantId, id, sourceId, (cur) => onChanged(cur, id, version, changes))
    }
    case 'Contact.Deleted': {
      const { id, version, mergedInto } = event.detail.data
      return deletionWork(tenantId, id, { version, erased: false, mergedInto })
    }
    case 'Contact.Erased': {
      const { id, version } = event.detail.data
      return deletionWork(tenantId, id, { version, erased: true })
    }
  }
})
