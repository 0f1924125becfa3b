/** Other services' events → contact timeline entries and converted-lead contacts (pure rules). */
import { CreateContact } from '@relay/contracts/contacts'
import { TimelineEntry } from '@relay/contracts/interactions'
import type { LeadConvertedV1 } from '@relay/contracts/leads'
import { decodeTime } from 'ulid'
import { describe, expect, it } from 'vitest'
import {
  contactIdOf,
  contactInputFromLead,
  convertedEntry,
  emailOf,
  entryIdFor,
  formatMoney,
  relatedActivity,
} from '../src/domain/related-activity.js'

const AT = '2026-03-04T05:06:07.089Z'
const deal = {
  id: 'DEAL1',
  name: 'Spring order',
  pipelineId: '00000000000000000000000000',
  stageId: 'qualification',
  status: 'open',
  amount: { amountMinor: 123456, currency: 'EUR' },
  lineItems: [],
  contactId: 'C1',
  ownerId: 'u1',
  stageHistory: [],
  version: 1,
  createdAt: AT,
  updatedAt: AT,
}

describe('entryIdFor', () => {
  it('is a ULID of occurredAt, the same for the same event and different for another', () => {
    // Act
    const a = entryIdFor(AT, 'evt-1')
    // Assess
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(decodeTime(a)).toBe(Date.parse(AT))
    expect(entryIdFor(AT, 'evt-1')).toBe(a)
    expect(entryIdFor(AT, 'evt-2')).not.toBe(a)
    expect(entryIdFor('2026-03-04T05:06:08.000Z', 'evt-0') > a).toBe(true)
  })
})

describe('formatMoney', () => {
  it('uses the currency decimals without floating point', () => {
    expect(formatMoney(123456, 'EUR')).toBe('1,234.56 EUR')
    expect(formatMoney(5, 'USD')).toBe('0.05 USD')
    expect(formatMoney(1500, 'JPY')).toBe('1,500 JPY')
    expect(formatMoney(1234567, 'KWD')).toBe('1,234.567 KWD')
    expect(formatMoney(9007199254740991, 'USD')).toBe('90,071,992,547,409.91 USD')
  })
})

describe('contactIdOf', () => {
  it('reads data.contactId, else the deal contactId', () => {
    expect(contactIdOf({ contactId: 'A', deal: { contactId: 'B' } })).toBe('A')
    expect(contactIdOf({ deal: { contactId: 'B' } })).toBe('B')
    expect(contactIdOf({ ticketId: 'T1', contactId: 'T' })).toBe('T')
    expect(contactIdOf({ deal: {} })).toBeUndefined()
    expect(contactIdOf(null)).toBeUndefined()
    expect(contactIdOf({ contactId: 42 })).toBeUndefined()
  })
})

describe('emailOf', () => {
  it('reads data.email or data.recipient.email, only when it is an address', () => {
    expect(emailOf({ email: 'a@example.com' })).toBe('a@example.com')
    expect(emailOf({ recipient: { email: 'b@example.com' } })).toBe('b@example.com')
    expect(emailOf({ email: 'not an address' })).toBeUndefined()
    expect(emailOf(undefined)).toBeUndefined()
  })
})

describe('relatedActivity', () => {
  const ev = (detailType: string, data: unknown) => ({ id: 'evt-9', detailType, occurredAt: AT, data })

  it('turns Deal.Created (the deal itself) into deal_opened with name and amount', () => {
    // Act
    const out = relatedActivity(ev('Deal.Created', deal))
    // Assess
    expect(out).toEqual({
      contactId: 'C1',
      entry: {
        id: entryIdFor(AT, 'evt-9'),
        kind: 'deal_opened',
        occurredAt: AT,
        actorId: 'system',
        summary: 'Deal opened: Spring order (1,234.56 EUR)',
        related: { type: 'deal', id: 'DEAL1' },
      },
    })
    // The entry is one the timeline contract (and so GET /contacts/{id}/timeline) accepts.
    if ('entry' in out) expect(TimelineEntry.safeParse(out.entry).success).toBe(true)
  })

  it('turns Deal.Won / Deal.Lost ({ deal, reason }) into deal_won / deal_lost, the reason kept', () => {
    const won = relatedActivity(ev('Deal.Won', { deal: { ...deal, status: 'won' } }))
    const lost = relatedActivity(ev('Deal.Lost', { deal: { ...deal, amount: undefined }, reason: 'Budget' }))
    expect(won).toMatchObject({
      contactId: 'C1',
      entry: { kind: 'deal_won', summary: 'Deal won: Spring order (1,234.56 EUR)' },
    })
    expect(lost).toMatchObject({ entry: { kind: 'deal_lost', summary: 'Deal lost: Spring order: Budget' } })
  })

  it('turns tickets into ticket_opened / ticket_solved with the subject', () => {
    const opened = relatedActivity(
      ev('Ticket.Opened', { ticketId: 'TK1', subject: 'Printer on fire', contactId: 'C2' }),
    )
    const solved = relatedActivity(
      ev('Ticket.Solved', { ticketId: 'TK1', subject: 'Printer on fire', contactId: 'C2' }),
    )
    expect(opened).toMatchObject({
      contactId: 'C2',
      entry: {
        kind: 'ticket_opened',
        summary: 'Ticket opened: Printer on fire',
        related: { type: 'ticket', id: 'TK1' },
      },
    })
    expect(solved).toMatchObject({ entry: { kind: 'ticket_solved', related: { type: 'ticket', id: 'TK1' } } })
  })

  it('turns campaign emails into email_* with the campaign name and id', () => {
    const sent = relatedActivity(
      ev('Email.Sent', { contactId: 'C3', campaignId: 'CMP1', campaignName: 'Spring sale' }),
    )
    const clicked = relatedActivity(
      ev('Email.Clicked', {
        contactId: 'C3',
        campaign: { id: 'CMP1', name: 'Spring sale' },
        url: 'https://x.example',
      }),
    )
    const opened = relatedActivity(ev('Email.Opened', { contactId: 'C3' }))
    expect(sent).toMatchObject({
      entry: {
        kind: 'email_sent',
        summary: 'Email sent: Spring sale',
        related: { type: 'campaign', id: 'CMP1' },
      },
    })
    expect(clicked).toMatchObject({
      entry: { kind: 'email_clicked', summary: 'Email clicked: Spring sale (https://x.example)' },
    })
    expect(opened).toMatchObject({ entry: { kind: 'email_opened', summary: 'Email opened: Campaign email' } })
    if ('entry' in opened) expect(opened.entry.related).toBeUndefined()
  })

  it('takes the contact the caller resolved for an event that names none', () => {
    const out = relatedActivity(
      ev('Email.Opened', { email: 'a@example.com', campaignName: 'Spring sale' }),
      'C7',
    )
    expect(out).toMatchObject({ contactId: 'C7', entry: { kind: 'email_opened' } })
  })

  it('skips events without a contact and detail-types it does not know', () => {
    expect(relatedActivity(ev('Deal.Created', { ...deal, contactId: undefined }))).toEqual({
      skip: 'no_contact',
    })
    expect(relatedActivity(ev('Deal.Updated', deal))).toEqual({ skip: 'unknown_event' })
  })
})

describe('converted leads', () => {
  const data: LeadConvertedV1 = {
    leadId: 'L1',
    contactId: 'C9',
    dealId: 'D1',
    contact: {
      firstName: 'Kanya',
      lastName: 'Srisuk',
      email: 'kanya@example.th',
      phone: '+66 2 123 4567',
      companyName: 'Srisuk Co',
      title: 'Buyer',
      ownerId: 'u7',
    },
    source: 'web',
    campaign: 'spring',
  }

  it('maps the lead to a valid contact input: owner, source lead-conversion, opportunity with a deal', () => {
    // Act
    const input = contactInputFromLead(data, { withEmail: true })
    // Assess
    expect(input).toEqual({
      firstName: 'Kanya',
      lastName: 'Srisuk',
      emails: [{ address: 'kanya@example.th', primary: true }],
      phones: [{ number: '+66 2 123 4567' }],
      companyName: 'Srisuk Co',
      jobTitle: 'Buyer',
      ownerId: 'u7',
      source: 'lead-conversion',
      lifecycleStage: 'opportunity',
    })
    expect(CreateContact.safeParse(input).success).toBe(true)
  })

  it('is qualified without a deal, leaves the email out on request, and names a nameless lead', () => {
    const { dealId: _d, ...noDeal } = data
    const input = contactInputFromLead(
      { ...noDeal, contact: { email: 'x@example.com', ownerId: 'u7' } },
      { withEmail: false },
    )
    expect(input).toEqual({
      displayName: 'x@example.com',
      ownerId: 'u7',
      source: 'lead-conversion',
      lifecycleStage: 'qualified',
    })
  })

  it('writes a converted entry about the lead, with the deal, source and campaign', () => {
    const entry = convertedEntry({ id: 'evt-1', detailType: 'Lead.Converted', occurredAt: AT, data }, data)
    expect(entry).toEqual({
      id: entryIdFor(AT, 'evt-1'),
      kind: 'converted',
      occurredAt: AT,
      actorId: 'system',
      summary: 'Converted from lead (source web, campaign spring)',
      related: { type: 'lead', id: 'L1' },
      changes: { leadId: 'L1', dealId: 'D1', source: 'web', campaign: 'spring' },
    })
    expect(TimelineEntry.safeParse(entry).success).toBe(true)
  })
})
