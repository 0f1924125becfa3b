import { emailsStated } from '../domain/contact-mail.js'
import { subscriber } from '../kit.js'
import { projectContactMail } from '../store/contacts.js'
import { onContactUpdated } from '../subscriptions.js'

/**
 * `Contact.Updated` → the projection of the contact's email fingerprints follows `changes.emails`
 * (the whole new list), written with the dedupe record. Only a newer contact version replaces what
 * is kept, so an older update arriving late changes nothing; an update of a contact not projected
 * yet creates its projection, as `Contact.Created` would. Other fields are not projected.
 */
export const handler = subscriber(onContactUpdated, async (event) => {
  const { tenantId, data } = event.detail
  const stated = emailsStated(data.changes, data.version)
  return stated ? projectContactMail(tenantId, data.id, stated) : undefined
})
