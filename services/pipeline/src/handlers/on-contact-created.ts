import { emailFingerprint } from '../domain/engagement.js'
import { contactMailPut } from '../store.js'
import { subscriber } from '../subscriber.js'

/**
 * `Contact.Created` → this service's projection of the contact's email fingerprints, so an
 * interaction logged on the contact can find leads with the same email. Read defensively (only
 * `id` and `emails[].address`), so contacts can grow its contract freely.
 */
export const handler = subscriber({
  async handle(event) {
    const { tenantId, data } = event.detail
    const d = (data ?? {}) as { id?: unknown; emails?: unknown }
    if (typeof d.id !== 'string' || !Array.isArray(d.emails)) return []
    const fingerprints = d.emails
      .map((e) => (e && typeof e === 'object' ? (e as { address?: unknown }).address : e))
      .filter((a): a is string => typeof a === 'string' && a.includes('@'))
      .map(emailFingerprint)
    return fingerprints.length ? [contactMailPut(tenantId, d.id, fingerprints)] : []
  },
})
