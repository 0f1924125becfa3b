import { CreateContact } from '@relay/contracts/contacts'
import type { LeadConvertedV1 } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import type { Logger } from '@relay/core/log'
import { buildContact, phoneProblems } from '../domain/contact.js'
import { ContactExists, EmailTaken } from '../domain/outcomes.js'
import { contactInputFromLead, convertedEntry } from '../domain/related-activity.js'
import { subscriber } from '../kit.js'
import { getContact, insertContact } from '../store/contacts.js'
import { flagDuplicates } from '../store/duplicates.js'
import { getContactFields } from '../store/settings.js'
import { relatedEntryWork } from '../store/timeline.js'
import { onLeadConverted } from '../subscriptions.js'

/**
 * The contact input of a conversion that the contract accepts: fields it refuses (an invalid email or
 * phone, an over-long title) are left out rather than losing the whole contact; undefined when even
 * that fails.
 */
export function acceptableInput(
  data: LeadConvertedV1,
  opts: { withEmail: boolean; region?: string | undefined },
  logger: Pick<Logger, 'warn'>,
): CreateContact | undefined {
  const input: Record<string, unknown> = contactInputFromLead(data, { withEmail: opts.withEmail })
  const phones = input.phones as { number: string }[] | undefined
  if (phones && phoneProblems(phones, opts.region).length) {
    logger.warn('Converted lead phone is not a valid number; left out', { contactId: data.contactId })
    delete input.phones
  }
  const first = CreateContact.safeParse(input)
  if (first.success) return first.data
  const refused = new Set(first.error.issues.map((i) => String(i.path[0])))
  logger.warn('Converted lead fields refused by the contact contract; left out', {
    contactId: data.contactId,
    fields: [...refused],
  })
  const kept = Object.fromEntries(Object.entries(input).filter(([k]) => !refused.has(k)))
  if (!kept.firstName && !kept.lastName && !kept.displayName) kept.displayName = `Lead ${data.leadId}`
  const second = CreateContact.safeParse(kept)
  return second.success ? second.data : undefined
}

/**
 * Lead.Converted (crm.pipeline) → the contact under the id the pipeline chose (`data.contactId`),
 * source `lead-conversion`, stage `qualified` (`opportunity` with a deal), with a `converted` timeline
 * entry. Idempotent twice over: the event id is deduped, and an existing contact with that id is a
 * no-op. An email that already belongs to another contact is left out (logged; the duplicates view
 * offers the merge) instead of failing the event forever.
 */
export const handler = subscriber(
  onLeadConverted,
  async (event, { logger }) => {
    const { tenantId, data, correlationId } = event.detail
    // Committed with the dedupe record; its id comes from the event, so a retry after a crash between
    // the contact's transaction and this one still adds it exactly once.
    const converted = relatedEntryWork(
      tenantId,
      data.contactId,
      convertedEntry({ ...event.detail, detailType: event.detailType }, data),
    )
    if (await getContact(tenantId, data.contactId)) {
      logger.info('Converted lead contact exists already', { contactId: data.contactId })
      return converted
    }
    const settings = await getContactFields(tenantId)
    const create = async (withEmail: boolean): Promise<boolean> => {
      const input = acceptableInput(data, { withEmail, region: settings.defaultRegion }, logger)
      if (!input) {
        logger.error('Converted lead cannot become a contact; dropped', { contactId: data.contactId })
        return false
      }
      const contact = buildContact(input, {
        id: data.contactId,
        ownerId: data.contact.ownerId,
        now: nowIso(),
        region: settings.defaultRegion,
      })
      try {
        await insertContact(tenantId, contact, correlationId, 'system')
      } catch (err) {
        if (err instanceof ContactExists) return true // a concurrent delivery created it
        throw err
      }
      await flagDuplicates(tenantId, contact, logger)
      return true
    }
    try {
      return (await create(true)) ? converted : undefined
    } catch (err) {
      if (!(err instanceof EmailTaken)) throw err
      logger.warn('Converted lead email belongs to another contact; contact created without it', {
        contactId: data.contactId,
        existingId: err.existingId,
      })
      return (await create(false)) ? converted : undefined
    }
  },
  // The `converted` entry's own condition: it is there already when an earlier delivery got that far.
  { onConditionFailed: 'ignore' },
)
