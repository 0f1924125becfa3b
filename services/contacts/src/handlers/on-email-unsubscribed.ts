import { nowIso } from '@relay/core/ids'
import { applyConsent } from '../domain/contact.js'
import { subscriber } from '../kit.js'
import { consentWork, contactIdByEmail, getContact } from '../store/contacts.js'
import { onEmailUnsubscribed } from '../subscriptions.js'

/** The consent source an unsubscribe from campaigns is recorded with. */
export const UNSUBSCRIBE_SOURCE = 'campaign-unsubscribe'

/**
 * Email.Unsubscribed (crm.campaigns) → the contact's email consent becomes `withdrawn` (source
 * `campaign-unsubscribe`, at the time of the unsubscribe), with Contact.ConsentChanged and a timeline
 * entry. The contact is found by `contactId`, else by the address. Idempotent: a redelivery is
 * dropped by its event id, a consent already withdrawn is left alone, and an unsubscribe older than
 * the consent on record (a later opt-in, arriving out of order) does not undo it. The change is
 * committed with the event's dedupe record; a contact changed meanwhile retries the event.
 */
export const handler = subscriber(onEmailUnsubscribed, async (event, { logger }) => {
  const { tenantId, data, correlationId } = event.detail
  const byId = data.contactId ? await getContact(tenantId, data.contactId) : undefined
  const id = byId?.id ?? (await contactIdByEmail(tenantId, data.email))
  const current = byId ?? (id ? await getContact(tenantId, id) : undefined)
  if (!current) {
    logger.info('Unsubscribe for no known contact', { contactId: data.contactId })
    return undefined
  }
  const on = current.consent?.email as { status?: string; at?: string; legalBasis?: string } | undefined
  if (on?.status === 'withdrawn' || (on?.at && on.at > data.occurredAt)) return undefined
  const { contact, before, after } = applyConsent(
    current,
    {
      channel: 'email',
      status: 'withdrawn',
      source: UNSUBSCRIBE_SOURCE,
      legalBasis: (on?.legalBasis as 'consent' | undefined) ?? 'consent',
      at: data.occurredAt,
    },
    nowIso(),
  )
  return consentWork(
    tenantId,
    current,
    contact,
    { channel: 'email', before, after },
    correlationId,
    'campaigns',
  )
})
