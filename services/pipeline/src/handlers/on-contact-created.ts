import { fingerprintsOf } from '../domain/contact-mail.js'
import { projectContactMail } from '../store/contacts.js'
import { subscriber } from '../subscriber.js'

/**
 * `Contact.Created` → this service's projection of the contact's email fingerprints, so an
 * interaction logged on the contact can find leads with the same email. Read defensively (only
 * `id`, `version` and `emails[].address`), so contacts can grow its contract freely. A contact
 * without emails gets no projection (nothing older than its creation can arrive to be guarded
 * against); a `Contact.Updated` that arrived first is newer and is kept.
 */
export const handler = subscriber({
  async handle(event) {
    const { tenantId, data } = event.detail
    const d = (data ?? {}) as { id?: unknown; version?: unknown; emails?: unknown }
    if (typeof d.id !== 'string') return []
    const fingerprints = fingerprintsOf(d.emails)
    if (!fingerprints.length) return []
    const version = typeof d.version === 'number' ? d.version : 1
    return projectContactMail(tenantId, d.id, { version, fingerprints })
  },
})
