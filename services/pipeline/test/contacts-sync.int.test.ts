import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { buildActivity } from '../src/domain/activity.js'
import { eraseLeadPersonalData, repointDeal } from '../src/domain/contact-links.js'
import { buildDeal } from '../src/domain/deal.js'
import { buildLead, convertLead } from '../src/domain/lead.js'
import { DEFAULT_PIPELINE } from '../src/domain/pipeline.js'
import { handler as onErased } from '../src/handlers/on-contact-erased.js'
import { handler as onMerged } from '../src/handlers/on-contact-merged.js'
import { manifest } from '../src/service.js'
import { getActivity, saveActivity } from '../src/store/activities.js'
import { leadIdsOfContact } from '../src/store/contacts.js'
import { getDeal } from '../src/store/deals.js'
import { getLead, saveLead, writeConversion } from '../src/store/leads.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2026-11-01T00:00:00.000Z'
const T = 'acme'

const event = (detailType: string, data: unknown) =>
  busEvent({ source: 'crm.contacts', detailType, data, tenantId: T, occurredAt: NOW, correlationId: 'corr' })

describe('contact links, pure', () => {
  it('repoints only deals of the old contact, and erases only personal fields', () => {
    const built = buildDeal(
      { name: 'D', contactId: 'A'.repeat(26) },
      { id: newId(), pipeline: DEFAULT_PIPELINE, products: new Map(), userId: 'u', now: NOW },
    )
    if ('problems' in built) throw new Error('bad')
    expect(repointDeal(built.deal, 'B'.repeat(26), 'C'.repeat(26), NOW)).toBeUndefined()
    expect(repointDeal(built.deal, 'A'.repeat(26), undefined, NOW)?.contactId).toBeUndefined()
    const lead = buildLead(
      { firstName: 'Ann', lastName: 'Lee', email: 'a@b.io', companyName: 'Acme', source: 'web' },
      { id: newId(), userId: 'u', now: NOW, rules: [] },
    )
    const erased = eraseLeadPersonalData(lead, NOW)!
    expect(erased).not.toHaveProperty('email')
    expect(erased).not.toHaveProperty('lastName')
    expect(erased.companyName).toBe('Acme')
    expect(eraseLeadPersonalData(erased, NOW)).toBeUndefined()
  })
})

describe('Contact.Merged / Contact.Erased on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  const outboxOf = async (id: string) => {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': 'outbox' },
      }),
    )
    return (out.Items ?? []).filter((i) => i.detail?.data?.id === id).map((i) => i.detailType as string)
  }

  it('follows a merge, then an erasure, idempotently', async () => {
    // Prepare: a lead converted into contact A with a deal; an activity about A
    const [a, b] = [newId(), newId()]
    const lead = buildLead(
      { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', companyName: 'Acme', source: 'web' },
      { id: newId(), userId: 'u', now: NOW, rules: [] },
    )
    await saveLead(T, lead, 0, [], 'c')
    const built = buildDeal(
      { name: 'D', contactId: a },
      { id: newId(), pipeline: DEFAULT_PIPELINE, products: new Map(), userId: 'u', now: NOW },
    )
    if ('problems' in built) throw new Error('bad')
    const deal = built.deal
    const converted = convertLead(lead, { contactId: a, dealId: deal.id, userId: 'u', now: NOW })
    await writeConversion(T, converted.lead, 1, deal, [], 'c')
    const activity = buildActivity(
      { type: 'meeting', subject: 'Lunch with Ann', relatedTo: { type: 'contact', id: a } },
      { id: newId(), userId: 'u', now: NOW },
    )
    await saveActivity(T, activity, 0, [], 'c')

    // Act: A merged into B, delivered twice
    const merged = event('Contact.Merged', { id: b, version: 3, sourceId: a, changes: {} })
    await onMerged(merged)
    await onMerged(merged)

    // Assess
    expect(await getDeal(T, deal.id)).toMatchObject({ contactId: b, version: 2 })
    expect((await getActivity(T, activity.id))?.relatedTo).toEqual({ type: 'contact', id: b })
    expect(await leadIdsOfContact(T, b)).toEqual([lead.id])
    expect(await leadIdsOfContact(T, a)).toEqual([])
    expect(await outboxOf(deal.id)).toEqual(['Deal.Updated'])
    // The converted lead follows its contact too (it would point at a merged-away id otherwise).
    expect((await getLead(T, lead.id))?.conversion?.contactId).toBe(b)
    expect(await outboxOf(lead.id)).toEqual(['Lead.Updated'])

    // Act: B erased
    await onErased(event('Contact.Erased', { id: b, version: 4 }))

    // Assess
    const after = await getDeal(T, deal.id)
    expect(after?.contactId).toBeUndefined()
    expect(await getActivity(T, activity.id)).toBeUndefined()
    const scrubbed = await getLead(T, lead.id)
    expect(scrubbed).not.toHaveProperty('email')
    expect(scrubbed).not.toHaveProperty('firstName')
    expect(scrubbed).toMatchObject({ companyName: 'Acme', status: 'converted' })
    expect(await leadIdsOfContact(T, b)).toEqual([])
    // One Lead.Updated for the merge, one for the erasure.
    expect(await outboxOf(lead.id)).toEqual(['Lead.Updated', 'Lead.Updated'])
  })
})
