import { nowIso } from '@relay/core/ids'
import { subscriber } from '../kit.js'
import { eraseRegistrations, repointRegistrations } from '../store/registrations.js'
import {
  contactGoneWork,
  contactMergedWork,
  requesterContact,
  setContactEmailsWork,
} from '../store/requesters.js'
import { eraseRequesterTickets, linkEmailTickets, repointTickets } from '../store/ticket-changes.js'
import { eraseVisits, repointVisits } from '../store/visits.js'
import { onContactChanged } from '../subscriptions.js'

/** The addresses of a contact's `emails` (a Contact.Updated `after` is untyped: read defensively). */
const addresses = (emails: unknown): string[] =>
  Array.isArray(emails)
    ? emails.flatMap((e) => {
        const address = (e as { address?: unknown } | null)?.address
        return typeof address === 'string' ? [address] : []
      })
    : []

/**
 * Contact.Created / Updated / Merged / Deleted / Erased (crm.contacts) → the requester projection and the
 * tickets it links:
 *
 * | event    | projection                                   | tickets                                         |
 * | -------- | -------------------------------------------- | ----------------------------------------------- |
 * | Created  | its emails → it                              | tickets from those emails without a contact linked (Ticket.Updated) |
 * | Updated  | its new email set (when emails changed)      | tickets from the new emails linked               |
 * | Merged   | source's and target's emails → target        | the source's tickets, registrations and visits re-pointed to the target |
 * | Deleted  | its emails dropped, contact remembered gone  | kept as they are (history); new tickets from its addresses match no contact |
 * | Erased   | its emails dropped, contact remembered gone  | requester data and comment text anonymised; registrations lose serials and notes, visits their addresses |
 *
 * Out of order and redelivered events: the projection keeps the contact's version (an older event
 * changes nothing) and remembers contacts merged away or erased (a late Created cannot bring one
 * back). Ticket rewrites are idempotent and made before the projection's Work commits with the dedupe
 * record, so a crash in between redoes them.
 */
export const handler = subscriber(
  onContactChanged,
  async (event, { logger }) => {
    const { tenantId, correlationId } = event.detail
    if (event.detailType === 'Contact.Erased') {
      const { id } = event.detail.data
      const emails = (await requesterContact(tenantId, id))?.emails ?? []
      const erased = await eraseRequesterTickets(tenantId, id, emails, correlationId)
      const registrations = await eraseRegistrations(tenantId, id, nowIso())
      const visits = await eraseVisits(tenantId, id, nowIso())
      logger.info('Requester erased', { contactId: id, tickets: erased, registrations, visits })
      return contactGoneWork(tenantId, id, emails, 'erased')
    }
    if (event.detailType === 'Contact.Deleted') {
      const { id } = event.detail.data
      const known = await requesterContact(tenantId, id)
      // Erased or merged away already: that record is the stronger one.
      if (known?.gone) return undefined
      return contactGoneWork(tenantId, id, known?.emails ?? [], 'deleted')
    }
    if (event.detailType === 'Contact.Merged') {
      const d = event.detail.data
      const [source, target] = await Promise.all([
        requesterContact(tenantId, d.sourceId),
        requesterContact(tenantId, d.id),
      ])
      // The source's Contact.Deleted may come first (gone: deleted): only an applied merge ends here.
      if (source?.gone === 'merged' || source?.gone === 'erased') return undefined
      const moved = await repointTickets(tenantId, d.sourceId, d.id, correlationId)
      const registrations = await repointRegistrations(tenantId, d.sourceId, d.id, nowIso())
      const visits = await repointVisits(tenantId, d.sourceId, d.id, nowIso())
      const sourceEmails = source?.emails ?? []
      const targetEmails = d.changes.emails ? addresses(d.changes.emails.after) : (target?.emails ?? [])
      // Every address the target now has: the source's may be known only from the merge's changes.
      for (const email of new Set([...sourceEmails, ...targetEmails]))
        await linkEmailTickets(tenantId, email, d.id, correlationId)
      logger.info('Requester merged', {
        sourceId: d.sourceId,
        targetId: d.id,
        tickets: moved,
        registrations,
        visits,
      })
      return contactMergedWork(
        tenantId,
        { contactId: d.sourceId, emails: sourceEmails },
        {
          contactId: d.id,
          version: Math.max(d.version, target?.version ?? 0),
          before: target?.emails ?? [],
          emails: targetEmails,
        },
      )
    }
    const { id, version } = event.detail.data
    const known = await requesterContact(tenantId, id)
    if (known && (known.gone || known.version >= version)) return undefined
    const emails =
      event.detailType === 'Contact.Created'
        ? addresses(event.detail.data.emails)
        : event.detail.data.changes.emails
          ? addresses(event.detail.data.changes.emails.after)
          : undefined
    // An update that did not touch the emails leaves the projection as it is.
    if (emails === undefined) return undefined
    for (const email of emails) await linkEmailTickets(tenantId, email, id, correlationId)
    return setContactEmailsWork(tenantId, id, version, known?.emails ?? [], emails)
  },
  // The projection saw a newer version of the contact already: nothing to do.
  { onConditionFailed: 'ignore' },
)
