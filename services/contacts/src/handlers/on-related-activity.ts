import { contactIdOf, emailOf, relatedActivity } from '../domain/related-activity.js'
import { contactIdByEmail, getContact } from '../store/contacts.js'
import { relatedEntryWrites } from '../store/timeline.js'
import { subscriber } from '../subscriber.js'

/**
 * How long a missing contact is waited for. A converted lead's `Deal.Created` travels with the
 * `Lead.Converted` that creates its contact, so it may arrive first: the bus retries it meanwhile.
 * Past this age a missing contact is one that was erased, merged away or never existed: skipped.
 */
export const MISSING_CONTACT_RETRY_MS = 2 * 60_000

/**
 * Deal.Created / Won / Lost (crm.pipeline), Ticket.Opened / Solved (crm.service-desk) and
 * Email.Sent / Opened / Clicked (crm.campaigns) → one entry in the contact's own timeline. The entry
 * id comes from the event (time part = occurredAt), so a redelivery writes the same item; the event
 * id is deduped too. An event naming only a recipient email finds its contact through the email guard.
 * Events without a contact, or for a contact that is gone, are logged and skipped.
 */
export const handler = subscriber({
  onConditionFailed: 'ignore',
  async handle(event, { logger }) {
    const { tenantId, id, occurredAt, data } = event.detail
    const email = contactIdOf(data) ? undefined : emailOf(data)
    const byEmail = email ? await contactIdByEmail(tenantId, email) : undefined
    const activity = relatedActivity(
      { id, detailType: event.detailType, occurredAt, data },
      byEmail ?? contactIdOf(data),
    )
    if ('skip' in activity) {
      logger.info('Event not for a contact timeline; skipped', {
        detailType: event.detailType,
        reason: activity.skip,
      })
      return undefined
    }
    if (!(await getContact(tenantId, activity.contactId))) {
      const age = Date.now() - Date.parse(occurredAt)
      if (age < MISSING_CONTACT_RETRY_MS) {
        throw new Error(`Contact ${activity.contactId} not there (yet); retrying`)
      }
      logger.warn('Event for a contact that does not exist; skipped', {
        detailType: event.detailType,
        contactId: activity.contactId,
      })
      return undefined
    }
    // The contact is checked again in the transaction: erased in between → condition failed → applied.
    return relatedEntryWrites(tenantId, activity.contactId, activity.entry)
  },
})
