import { ContactUpdatedV1 } from '@relay/contracts/contacts'
import { emailsStated } from '../domain/contact-mail.js'
import { projectContactMail } from '../store/contacts.js'
import { subscriber } from '../subscriber.js'

/**
 * `Contact.Updated` → the projection of the contact's email fingerprints follows `changes.emails`
 * (the whole new list), written with the dedupe record. Only a newer contact version replaces what
 * is kept, so an older update arriving late changes nothing; an update of a contact not projected
 * yet creates its projection, as `Contact.Created` would. Other fields are not projected.
 */
export const handler = subscriber({
  data: ContactUpdatedV1,
  async handle(event) {
    const { tenantId, data } = event.detail
    const stated = emailsStated(data.changes, data.version)
    return stated ? projectContactMail(tenantId, data.id, stated) : []
  },
})
