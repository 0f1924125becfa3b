import { CreateContact } from '@relay/contracts/contacts'
import type { LeadConvertedV1 } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import type { Logger } from '@relay/core/log'
import { buildContact, phoneProblems } from '../domain/contact.js'
import { ContactExists, EmailTaken } from '../domain/outcomes.js'
import { isKnownRegion } from '../domain/phone.js'
import { contactInputFromLead, convertedEntry } from '../domain/related-activity.js'
import { subscriber } from '../kit.js'
import { getContact, insertContact } from '../store/contacts.js'
import { flagDuplicates } from '../store/duplicates.js'
import { getContactFields } from '../store/settings.js'
import { relatedEntryWork } from '../store/timeline.js'
import { onLeadConverted } from '../subscriptions.js'

/**
 * The contact input of a conversion that the contract accepts: fields it refuses (an invalid email or
 * phone, an over-long title) are left out rather than losing the whole contact, each named in
 * `leftOut` (what the user typed, and why) for the `converted` entry; undefined when even that fails.
 */
export function acceptableInput(
  data: LeadConvertedV1,
  opts: { withEmail: boolean; region?: string | undefined },
  logger: Pick<Logger, 'warn'>,
  leftOut: string[] = [],
): CreateContact | undefined {
  const input: Record<string, unknown> = contactInputFromLead(data, { withEmail: opts.withEmail })
  const phones = input.phones as { number: string }[] | undefined
  if (phones && phoneProblems(phones, opts.region).length) {
    logger.warn('Converted lead phone is not a valid number; left out', { contactId: data.contactId })
    leftOut.push(
      `phone ${phones.map((p) => p.number).join(', ')} (not a valid number${opts.region ? ` in ${opts.region}` : '; no country to read it with'})`,
    )
    delete input.phones
  }
  const first = CreateContact.safeParse(input)
  if (first.success) return first.data
  const refused = new Set(first.error.issues.map((i) => String(i.path[0])))
  logger.warn('Converted lead fields refused by the contact contract; left out', {
    contactId: data.contactId,
    fields: [...refused],
  })
  for (const field of refused) leftOut.push(`${field} (refused by the contact rules)`)
  const kept = Object.fromEntries(Object.entries(input).filter(([k]) => !refused.has(k)))
  if (!kept.firstName && !kept.lastName && !kept.displayName) kept.displayName = `Lead ${data.leadId}`
  const second = CreateContact.safeParse(kept)
  return second.success ? second.data : undefined
}

/**
 * Lead.Converted (crm.pipeline) → the contact under the id the pipeline chose (`data.contactId`),
 * source `lead-conversion`, stage `qualified` (`opportunity` with a deal), with a `converted` timeline
 * entry. Idempotent twice over: the event id is deduped, and an existing contact with that id is a
 * no-op. A national phone (`081 234 5678`) is read with the lead's country, else the tenant's
 * default region. An email that already belongs to another contact is left out (logged; the
 * duplicates view offers the merge) instead of failing the event forever; whatever is left out is
 * named on the `converted` entry, so nothing the user typed vanishes without a note.
 */
export const handler = subscriber(
  onLeadConverted,
  async (event, { logger }) => {
    const { tenantId, data, correlationId } = event.detail
    // Committed with the dedupe record; its id comes from the event, so a retry after a crash between
    // the contact's transaction and this one still adds it exactly once.
    const leftOut: string[] = []
    const converted = () =>
      relatedEntryWork(
        tenantId,
        data.contactId,
        convertedEntry({ ...event.detail, detailType: event.detailType }, data, leftOut),
      )
    if (await getContact(tenantId, data.contactId)) {
      logger.info('Converted lead contact exists already', { contactId: data.contactId })
      return converted()
    }
    const settings = await getContactFields(tenantId)
    const country = data.contact.country?.toUpperCase()
    // The lead's own country reads its national phone; the tenant's default region otherwise.
    const region = country && isKnownRegion(country) ? country : settings.defaultRegion
    const create = async (withEmail: boolean): Promise<boolean> => {
      leftOut.length = withEmail ? 0 : leftOut.length
      const input = acceptableInput(data, { withEmail, region }, logger, leftOut)
      if (!input) {
        logger.error('Converted lead cannot become a contact; dropped', { contactId: data.contactId })
        return false
      }
      const contact = buildContact(input, {
        id: data.contactId,
        ownerId: data.contact.ownerId,
        now: nowIso(),
        region,
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
      return (await create(true)) ? converted() : undefined
    } catch (err) {
      if (!(err instanceof EmailTaken)) throw err
      logger.warn('Converted lead email belongs to another contact; contact created without it', {
        contactId: data.contactId,
        existingId: err.existingId,
      })
      leftOut.length = 0
      leftOut.push(
        `email ${data.contact.email ?? ''} (another contact has it: ${err.existingId ?? 'unknown'})`,
      )
      return (await create(false)) ? converted() : undefined
    }
  },
  // The `converted` entry's own condition: it is there already when an earlier delivery got that far.
  { onConditionFailed: 'ignore' },
)
