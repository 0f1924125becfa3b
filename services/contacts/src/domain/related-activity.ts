/**
 * Other services' events as contact timeline entries, pure (no AWS, no I/O): which contact an event is
 * about, which entry kind it becomes, its one-line summary, and an entry id that is the same on every
 * delivery of the event (so a redelivery rewrites the same item instead of adding one).
 *
 * Data is read defensively (a producer may add fields within a version): the contact id from
 * `data.contactId`, else `data.deal.contactId`; tickets by service-desk's contracts
 * (`Ticket.Opened` / `Ticket.Solved`: `ticketId`, `subject`, `contactId`).
 */
import { createHash } from 'node:crypto'
import type { CreateContact } from '@relay/contracts/contacts'
import type { RelatedTimelineKind, TimelineEntry } from '@relay/contracts/interactions'
import type { LeadConvertedV1 } from '@relay/contracts/leads'
import { minorUnitsOf } from '@relay/contracts/money'
import { encodeTime } from 'ulid'

/** The event sources and detail-types this service turns into timeline entries. */
export const RELATED_ACTIVITY_EVENTS = {
  'crm.pipeline': ['Deal.Created', 'Deal.Won', 'Deal.Lost'],
  'crm.service-desk': ['Ticket.Opened', 'Ticket.Solved'],
  'crm.campaigns': ['Email.Sent', 'Email.Opened', 'Email.Clicked'],
} as const

const KIND_OF: Readonly<Record<string, RelatedTimelineKind>> = {
  'Deal.Created': 'deal_opened',
  'Deal.Won': 'deal_won',
  'Deal.Lost': 'deal_lost',
  'Ticket.Opened': 'ticket_opened',
  'Ticket.Solved': 'ticket_solved',
  'Email.Sent': 'email_sent',
  'Email.Opened': 'email_opened',
  'Email.Clicked': 'email_clicked',
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/**
 * A ULID whose time part is `occurredAt` and whose random part comes from `seed` (the event id): the
 * timeline stays in time order and the same event always gets the same id.
 *
 * @example
 * entryIdFor('2026-01-02T03:04:05.000Z', 'evt-1') === entryIdFor('2026-01-02T03:04:05.000Z', 'evt-1') // true
 */
export function entryIdFor(occurredAt: string, seed: string): string {
  const ms = Date.parse(occurredAt)
  const time = encodeTime(Number.isFinite(ms) && ms >= 0 ? ms : 0, 10)
  const digest = createHash('sha256').update(seed).digest()
  let random = ''
  for (let i = 0; i < 16; i++) random += CROCKFORD[(digest[i] ?? 0) % 32]
  return time + random
}

/**
 * An amount in minor units as text, without floating point: `123456, 'EUR'` → `1,234.56 EUR`
 * (the currency's own decimals; 2 when the code is unknown).
 */
export function formatMoney(amountMinor: number, currency: string): string {
  const digits = minorUnitsOf(currency) ?? 2
  const sign = amountMinor < 0 ? '-' : ''
  const text = String(Math.abs(Math.trunc(amountMinor))).padStart(digits + 1, '0')
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const fraction = digits ? `.${text.slice(text.length - digits)}` : ''
  return `${sign}${whole}${fraction} ${currency}`
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined)

/** The contact an event is about: `data.contactId`, else the deal's `contactId`. */
export function contactIdOf(data: unknown): string | undefined {
  const d = obj(data)
  return text(d?.contactId) ?? text(obj(d?.deal)?.contactId)
}

/** The recipient address of an event that names no contact (campaign emails may carry only that). */
export function emailOf(data: unknown): string | undefined {
  const d = obj(data)
  const email = text(d?.email) ?? text(obj(d?.recipient)?.email)
  return email?.includes('@') ? email : undefined
}

/** What {@link relatedActivity} makes of an event. */
export type RelatedActivity =
  | { contactId: string; entry: TimelineEntry }
  | { skip: 'unknown_event' | 'no_contact' }

/** The fields of an event that matter here. */
export interface ActivityEvent {
  id: string
  detailType: string
  occurredAt: string
  data: unknown
}

const clip = (s: string, max = 200) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

function dealEntry(kind: RelatedTimelineKind, data: Obj): Pick<TimelineEntry, 'summary' | 'related'> {
  // Deal.Created carries the deal itself; Deal.Won / Deal.Lost carry `{ deal, reason? }`.
  const deal = obj(data.deal) ?? data
  const name = text(deal.name) ?? 'Deal'
  const amount = obj(deal.amount)
  const money =
    amount && typeof amount.amountMinor === 'number' && text(amount.currency)
      ? ` (${formatMoney(amount.amountMinor, String(amount.currency))})`
      : ''
  const reason = kind === 'deal_lost' && text(data.reason) ? `: ${text(data.reason)}` : ''
  const verb = kind === 'deal_opened' ? 'Deal opened' : kind === 'deal_won' ? 'Deal won' : 'Deal lost'
  const id = text(deal.id)
  return {
    summary: clip(`${verb}: ${name}${money}${reason}`),
    ...(id ? { related: { type: 'deal', id } } : {}),
  }
}

/** `Ticket.Opened` / `Ticket.Solved` (service-desk-events.ts): `ticketId` and `subject`. */
function ticketEntry(kind: RelatedTimelineKind, data: Obj): Pick<TimelineEntry, 'summary' | 'related'> {
  const subject = text(data.subject) ?? 'Ticket'
  const id = text(data.ticketId)
  return {
    summary: clip(`${kind === 'ticket_opened' ? 'Ticket opened' : 'Ticket solved'}: ${subject}`),
    ...(id ? { related: { type: 'ticket', id } } : {}),
  }
}

function emailEntry(kind: RelatedTimelineKind, data: Obj): Pick<TimelineEntry, 'summary' | 'related'> {
  const campaign = obj(data.campaign)
  const name = text(data.campaignName) ?? text(campaign?.name) ?? text(data.subject) ?? 'Campaign email'
  const id = text(data.campaignId) ?? text(campaign?.id)
  const verb =
    kind === 'email_sent' ? 'Email sent' : kind === 'email_opened' ? 'Email opened' : 'Email clicked'
  const url = kind === 'email_clicked' && text(data.url) ? ` (${text(data.url)})` : ''
  return {
    summary: clip(`${verb}: ${name}${url}`),
    ...(id ? { related: { type: 'campaign', id } } : {}),
  }
}

/**
 * The timeline entry an event of another service becomes, or why it is skipped. `contactId` defaults
 * to the one the event names ({@link contactIdOf}); the caller may resolve one from {@link emailOf}.
 *
 * @example
 * relatedActivity({ id: 'e1', detailType: 'Deal.Won', occurredAt, data: { deal } })
 * // { contactId: deal.contactId, entry: { kind: 'deal_won', summary: 'Deal won: Renewal (1,200.00 USD)', … } }
 */
export function relatedActivity(
  event: ActivityEvent,
  contactId: string | undefined = contactIdOf(event.data),
): RelatedActivity {
  const kind = KIND_OF[event.detailType]
  if (!kind) return { skip: 'unknown_event' }
  if (!contactId) return { skip: 'no_contact' }
  const data = obj(event.data) ?? {}
  const details = kind.startsWith('deal_')
    ? dealEntry(kind, data)
    : kind.startsWith('ticket_')
      ? ticketEntry(kind, data)
      : emailEntry(kind, data)
  return {
    contactId,
    entry: {
      id: entryIdFor(event.occurredAt, event.id),
      kind,
      occurredAt: event.occurredAt,
      actorId: 'system',
      ...details,
    },
  }
}

/** Stage a converted lead's contact starts in: `opportunity` when a deal came with it. */
export function convertedStage(data: Pick<LeadConvertedV1, 'dealId'>): 'qualified' | 'opportunity' {
  return data.dealId ? 'opportunity' : 'qualified'
}

/**
 * The contact input a `Lead.Converted` event stands for (source `lead-conversion`). `withEmail: false`
 * leaves the address out (it already belongs to another contact). A lead without a name is named after
 * its email, company or phone, since a contact needs a name.
 */
export function contactInputFromLead(data: LeadConvertedV1, opts: { withEmail: boolean }): CreateContact {
  const c = data.contact
  const firstName = text(c.firstName)
  const lastName = text(c.lastName)
  const email = opts.withEmail ? text(c.email) : undefined
  const phone = text(c.phone)
  const companyName = text(c.companyName)
  const jobTitle = text(c.title)
  const fallbackName =
    firstName || lastName ? undefined : (text(c.email) ?? companyName ?? phone ?? `Lead ${data.leadId}`)
  return {
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    ...(fallbackName ? { displayName: fallbackName } : {}),
    ...(email ? { emails: [{ address: email, primary: true }] } : {}),
    ...(phone ? { phones: [{ number: phone }] } : {}),
    ...(companyName ? { companyName } : {}),
    ...(jobTitle ? { jobTitle } : {}),
    ownerId: c.ownerId,
    source: 'lead-conversion',
    lifecycleStage: convertedStage(data),
  }
}

/**
 * The `converted` entry of a contact created from a lead (same id on every delivery); `leftOut`
 * names what the lead had that the contact could not keep (so it does not vanish without a note).
 */
export function convertedEntry(
  event: ActivityEvent,
  data: LeadConvertedV1,
  leftOut: readonly string[] = [],
): TimelineEntry {
  const extras = [data.source && `source ${data.source}`, data.campaign && `campaign ${data.campaign}`]
    .filter(Boolean)
    .join(', ')
  const notKept = leftOut.length ? `; not kept: ${leftOut.join('; ')}` : ''
  return {
    id: entryIdFor(event.occurredAt, event.id),
    kind: 'converted',
    occurredAt: event.occurredAt,
    actorId: 'system',
    summary: clip(`Converted from lead${extras ? ` (${extras})` : ''}${notKept}`),
    related: { type: 'lead', id: data.leadId },
    changes: {
      leadId: data.leadId,
      ...(data.dealId ? { dealId: data.dealId } : {}),
      source: data.source,
      ...(data.campaign ? { campaign: data.campaign } : {}),
      ...(leftOut.length ? { leftOut: [...leftOut] } : {}),
    },
  }
}
