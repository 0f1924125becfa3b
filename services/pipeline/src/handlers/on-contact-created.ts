import { fingerprintsOf } from '../domain/contact-mail.js'
import { subscriber } from '../kit.js'
import { projectContactMail } from '../store/contacts.js'
import { onContactCreated } from '../subscriptions.js'

/**
 * `Contact.Created` → this service's projection of the contact: its email fingerprints (so an
 * interaction logged on the contact finds leads with the same email) and that it exists (a contact
 * without emails is projected too). A `Contact.Updated` that arrived first is newer and is kept; a
 * tombstone is never replaced.
 */
export const handler = subscriber(onContactCreated, async (event) => {
  const { tenantId, data } = event.detail
  return projectContactMail(tenantId, data.id, {
    version: data.version,
    fingerprints: fingerprintsOf(data.emails),
  })
})
