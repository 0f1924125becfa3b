import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { engagementOf, emailFingerprint as fp } from '../src/domain/engagement.js'
import { convertLead } from '../src/domain/lead.js'
import { handler as onCampaignEngagement } from '../src/handlers/on-campaign-engagement.js'
import { handler as onContactCreated } from '../src/handlers/on-contact-created.js'
import { handler as onContactErased } from '../src/handlers/on-contact-erased.js'
import { handler as onEngagement } from '../src/handlers/on-engagement.js'
import { manifest } from '../src/service.js'
import { contactFingerprints } from '../src/store/contacts.js'
import { getLead, intakeLead, leadIdsByEmail, writeConversion } from '../src/store/leads.js'
import { putLeadScoring } from '../src/store/settings.js'
import { contactData, interactionData } from './helpers.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2026-11-01T00:00:00.000Z'
const T = `t-${newId().slice(-8).toLowerCase()}`

const event = (source: string, detailType: string, data: unknown) =>
  busEvent({ source, detailType, data, tenantId: T, occurredAt: NOW, correlationId: 'corr' })

describe('engagement points (pure)', () => {
  it('weighs meetings over calls over emails; campaign clicks over opens; nobody named → nothing', () => {
    expect(engagementOf('Interaction.Logged', { type: 'meeting', contactId: 'C' })).toEqual({
      points: 10,
      contactId: 'C',
    })
    expect(engagementOf('Interaction.Logged', { type: 'purchase', contactId: 'C' })?.points).toBe(2)
    expect(engagementOf('Email.Clicked', { email: 'a@b.io' })?.points).toBe(3)
    expect(engagementOf('Email.Opened', { leadId: 'L' })?.points).toBe(1)
    expect(engagementOf('Email.Opened', {})).toBeUndefined()
    expect(engagementOf('Email.Bounced', { leadId: 'L' })).toBeUndefined()
    expect(engagementOf('Email.Opened', 'garbage')).toBeUndefined()
  })
})

describe('engagement on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  it('adds points by lead id, by email and through the contact projection; score = fit + engagement', async () => {
    // Prepare: fit 20 from the rules
    await putLeadScoring(
      T,
      { rules: [{ field: 'source', operator: 'eq', value: 'web', points: 20 }], version: 1 },
      0,
    )
    const lead = await intakeLead(
      T,
      { lastName: 'Lee', email: 'Lee@Example.com', source: 'web' },
      {
        userId: 'u-1',
        correlationId: 'c',
      },
    )
    const other = await intakeLead(
      T,
      { lastName: 'Other', email: 'other@example.com', source: 'web' },
      {
        userId: 'u-1',
        correlationId: 'c',
      },
    )
    const contactId = newId()
    // Act
    await onContactCreated(
      event(
        'crm.contacts',
        'Contact.Created',
        contactData({ id: contactId, emails: [{ address: 'lee@example.com' }] }),
      ),
    )
    const meeting = event(
      'crm.contacts',
      'Interaction.Logged',
      interactionData({ id: newId(), contactId, type: 'meeting' }),
    )
    await onEngagement(meeting)
    await onEngagement(meeting) // redelivered: counted once
    await onCampaignEngagement(
      event('crm.campaigns', 'Email.Clicked', { email: 'LEE@example.com', campaignId: 'x' }),
    )
    await onCampaignEngagement(event('crm.campaigns', 'Email.Opened', { leadId: lead.id }))
    // Assess: 10 + 3 + 1
    const after = await getLead(T, lead.id)
    expect(after).toMatchObject({ fitScore: 20, engagementScore: 14, score: 34, version: 4 })
    expect((await getLead(T, other.id))?.engagementScore).toBeUndefined()
  })

  it('a link to an email the lead no longer has is ignored', async () => {
    const lead = await intakeLead(
      T,
      { lastName: 'Moved', email: 'old@example.com', source: 'web' },
      {
        userId: 'u-1',
        correlationId: 'c',
      },
    )
    const { handler: updateLead } = await import('../src/handlers/update-lead.js')
    const { httpEvent, context, parse } = await import('./helpers.js')
    const res = parse(
      await updateLead(
        httpEvent({
          method: 'PATCH',
          path: `/leads/${lead.id}`,
          params: { id: lead.id },
          body: { email: 'new@example.com' },
          tenant: T,
        }),
        context,
      ),
    )
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    await onCampaignEngagement(event('crm.campaigns', 'Email.Clicked', { email: 'old@example.com' }))
    expect((await getLead(T, lead.id))?.engagementScore).toBeUndefined()
    await onCampaignEngagement(event('crm.campaigns', 'Email.Clicked', { email: 'new@example.com' }))
    expect((await getLead(T, lead.id))?.engagementScore).toBe(3)
  })

  it('an erased contact takes its email links and its projection with it', async () => {
    // Prepare: a lead converted into a contact whose emails are projected
    const lead = await intakeLead(
      T,
      { lastName: 'Gone', email: 'gone@example.com', source: 'web' },
      {
        userId: 'u-1',
        correlationId: 'c',
      },
    )
    const contactId = newId()
    const converted = convertLead(lead, { contactId, userId: 'u-1', now: NOW })
    await writeConversion(T, converted.lead, 1, undefined, [], 'c')
    await onContactCreated(
      event(
        'crm.contacts',
        'Contact.Created',
        contactData({ id: contactId, emails: [{ address: 'gone@example.com' }] }),
      ),
    )
    expect(await leadIdsByEmail(T, fp('gone@example.com'))).toEqual([lead.id])
    // Act
    await onContactErased(event('crm.contacts', 'Contact.Erased', { id: contactId, version: 2 }))
    // Assess
    expect((await getLead(T, lead.id))?.email).toBeUndefined()
    expect(await leadIdsByEmail(T, fp('gone@example.com'))).toEqual([])
    expect(await contactFingerprints(T, contactId)).toEqual([])
  })
})
