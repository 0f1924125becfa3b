/**
 * The pipeline service end to end through the local gateway: pipelines and products set up by a
 * manager, deals moved to won by sales, a scored lead converted, events on the local bus, and a
 * forecast across currencies against quotas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let manager: string
let sales: string
let viewer: string
let stranger: string

beforeAll(async () => {
  api = await startApi({ only: ['contacts', 'pipeline'] })
  manager = await api.token('acme', ['manager'])
  sales = await api.token('acme', ['sales'], 'u-sam')
  viewer = await api.token('acme', ['viewer'])
  stranger = await api.token('globex', ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const busEvents = async (predicate: (e: any) => boolean) => {
  const seen = await api.call('GET', '/_local/events')
  return ((seen.body.items ?? seen.body) as any[]).filter(predicate)
}

// Winning a deal dates it today, so the forecast looks at the current quarter.
const TODAY = new Date().toISOString().slice(0, 10)
const QUARTER = `${TODAY.slice(0, 4)}-Q${Math.floor((Number(TODAY.slice(5, 7)) - 1) / 3) + 1}`

const STAGES = [
  { id: 'discovery', name: 'Discovery', probability: 20, forecastCategory: 'pipeline' },
  { id: 'proposal', name: 'Proposal', probability: 50, forecastCategory: 'best_case' },
  { id: 'contract', name: 'Contract', probability: 90, forecastCategory: 'commit' },
  { id: 'won', name: 'Won', probability: 100, forecastCategory: 'closed', outcome: 'won' },
  { id: 'lost', name: 'Lost', probability: 0, forecastCategory: 'omitted', outcome: 'lost' },
]

describe('pipeline: deals from pipeline setup to won, leads to conversion, forecast', () => {
  let pipelineId: string
  let productId: string
  let dealId: string

  it('a manager sets up a pipeline and a product; sales may not', async () => {
    const bad = await api.call('POST', '/pipelines', {
      token: manager,
      body: { name: 'Bad', stages: STAGES.filter((s) => s.id !== 'lost') },
    })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    expect(bad.body.errors.map((e: { code: string }) => e.code)).toContain('lost_stage')

    const created = await api.call('POST', '/pipelines', {
      token: manager,
      body: { name: 'Enterprise', stages: STAGES },
    })
    expect(created.status, created.text).toBe(201)
    pipelineId = created.body.id
    expect(created.headers.get('location')).toBe(`/pipelines/${pipelineId}`)

    const product = await api.call('POST', '/products', {
      token: manager,
      body: { name: 'Seat (1 year)', sku: 'SEAT-1Y', unitPrice: { amountMinor: 1999, currency: 'EUR' } },
    })
    expect(product.status, product.text).toBe(201)
    productId = product.body.id

    const denied = await api.call('POST', '/pipelines', {
      token: sales,
      body: { name: 'Mine', stages: STAGES },
    })
    expect(denied.status).toBe(403)
  })

  it('sales creates a deal priced from line items, idempotently', async () => {
    const body = {
      name: 'Siam Trading seats',
      pipelineId,
      lineItems: [{ productId, quantity: 10, discountPercent: 5 }],
      closeDate: '2026-11-20',
    }
    const headers = { 'idempotency-key': 'deal-siam-1' }
    const res = await api.call('POST', '/deals', { token: sales, headers, body })
    expect(res.status, res.text).toBe(201)
    dealId = res.body.id
    // 10 × 19.99 × 95% = 189.905 → 189.90 (half to even)
    expect(res.body.amount).toEqual({ amountMinor: 18990, currency: 'EUR' })
    expect(res.body).toMatchObject({ stageId: 'discovery', ownerId: 'u-sam', status: 'open' })
    const replay = await api.call('POST', '/deals', { token: sales, headers, body })
    expect(replay.body.id).toBe(dealId)
    expect(replay.headers.get('idempotency-replayed')).toBe('true')
  })

  it('moves the deal through stages with If-Match, refuses a stale version, and wins it', async () => {
    const got = await api.call('GET', `/deals/${dealId}`, { token: viewer })
    const etag = got.headers.get('etag')!
    const moved = await api.call('POST', `/deals/${dealId}/stage`, {
      token: sales,
      headers: { 'if-match': etag },
      body: { stageId: 'contract' },
    })
    expect(moved.status, moved.text).toBe(200)
    const stale = await api.call('POST', `/deals/${dealId}/stage`, {
      token: sales,
      headers: { 'if-match': etag },
      body: { stageId: 'won' },
    })
    expect(stale.status).toBe(412)

    const listed = await api.call('GET', `/deals?pipelineId=${pipelineId}&stage=contract`, { token: viewer })
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual([dealId])

    const won = await api.call('POST', `/deals/${dealId}/stage`, {
      token: sales,
      body: { stageId: 'won', reason: 'Best price' },
    })
    expect(won.status, won.text).toBe(200)
    expect(won.body.status).toBe('won')
    expect(won.body.stageHistory.map((v: { stageId: string }) => v.stageId)).toEqual([
      'discovery',
      'contract',
      'won',
    ])

    const types = await eventually(async () => {
      const evs = await busEvents(
        (e) => e.source === 'crm.pipeline' && JSON.stringify(e.detail).includes(dealId),
      )
      const t = evs.map((e) => e['detail-type'])
      return t.includes('Deal.Won') ? t : undefined
    }, 5_000)
    expect(types).toEqual(expect.arrayContaining(['Deal.Created', 'Deal.StageChanged', 'Deal.Won']))
  })

  it('another tenant sees none of it', async () => {
    expect((await api.call('GET', `/deals/${dealId}`, { token: stranger })).status).toBe(404)
    expect((await api.call('GET', '/deals', { token: stranger })).body.items).toEqual([])
  })

  it('scores a lead with the tenant rules and converts it once, with the contact data on the bus', async () => {
    const rules = await api.call('PUT', '/settings/lead-scoring', {
      token: manager,
      body: {
        rules: [
          { field: 'source', operator: 'eq', value: 'referral', points: 40 },
          { field: 'employees', operator: 'gte', value: 100, points: 30 },
        ],
      },
    })
    expect(rules.status, rules.text).toBe(200)
    const lead = await api.call('POST', '/leads', {
      token: sales,
      body: {
        firstName: 'สมชาย',
        lastName: 'Gwy\u0302n',
        email: 'Som@Example.com',
        source: 'referral',
        employees: 120,
      },
    })
    expect(lead.status, lead.text).toBe(201)
    expect(lead.body).toMatchObject({ score: 70, lastName: 'Gwŷn', email: 'som@example.com' })
    const leadId = lead.body.id

    const byStatus = await api.call('GET', '/leads?status=new&source=referral', { token: viewer })
    expect(byStatus.body.items.map((l: { id: string }) => l.id)).toContain(leadId)

    const first = await api.call('POST', `/leads/${leadId}/convert`, {
      token: sales,
      body: { deal: { amount: { amountMinor: 500000, currency: 'JPY' }, closeDate: TODAY } },
    })
    expect(first.status, first.text).toBe(200)
    expect(first.body).toEqual({ leadId, contactId: expect.any(String), dealId: expect.any(String) })
    const second = await api.call('POST', `/leads/${leadId}/convert`, { token: sales, body: {} })
    expect(second.body).toEqual(first.body)

    const deal = await api.call('GET', `/deals/${first.body.dealId}`, { token: viewer })
    expect(deal.body).toMatchObject({ contactId: first.body.contactId, leadId })
    const patched = await api.call('PATCH', `/leads/${leadId}`, { token: sales, body: { title: 'CEO' } })
    expect(patched.status).toBe(409)

    const converted = await eventually(async () => {
      const evs = await busEvents(
        (e) => e['detail-type'] === 'Lead.Converted' && e.detail.data.leadId === leadId,
      )
      return evs[0]
    }, 5_000)
    expect(converted?.detail.data).toMatchObject({
      contactId: first.body.contactId,
      contact: { firstName: 'สมชาย', lastName: 'Gwŷn', email: 'som@example.com', ownerId: 'u-sam' },
      source: 'referral',
    })
  })

  it("a lead's national phone reaches the contact in E.164, read in the lead's country (no tenant default region)", async () => {
    // Prepare: a tenant that never set a default phone region
    const siam = await api.token('siam-tea', ['sales'], 'u-som')
    const lead = await api.call('POST', '/leads', {
      token: siam,
      body: { lastName: 'Jaidee', phone: '081 234 5678', country: 'TH', source: 'web' },
    })
    expect(lead.status, lead.text).toBe(201)
    // Act
    const converted = await api.call('POST', `/leads/${lead.body.id}/convert`, { token: siam, body: {} })
    expect(converted.status, converted.text).toBe(200)
    // Assess: the contacts service created the contact with the phone kept
    const contact = await eventually(async () => {
      const res = await api.call('GET', `/contacts/${converted.body.contactId}`, { token: siam })
      return res.status === 200 ? res.body : undefined
    }, 10_000)
    expect(contact?.phones).toEqual([expect.objectContaining({ number: '+66812345678' })])
  })

  it('forecasts the quarter in the base currency across EUR and JPY deals, against quotas', async () => {
    const currencies = await api.call('PUT', '/settings/currencies', {
      token: manager,
      body: {
        baseCurrency: 'USD',
        rates: [
          { currency: 'EUR', rate: '1.08' },
          { currency: 'JPY', rate: '0.0065' },
        ],
      },
    })
    expect(currencies.status, currencies.text).toBe(200)
    const quotas = await api.call('PUT', '/quotas', {
      token: manager,
      body: {
        period: QUARTER,
        quotas: [{ ownerId: 'u-sam', amount: { amountMinor: 500000, currency: 'USD' } }],
      },
    })
    expect(quotas.status, quotas.text).toBe(200)

    const f = await api.call('GET', `/forecast?period=${QUARTER}`, { token: viewer })
    expect(f.status, f.text).toBe(200)
    // Won: 189.90 EUR × 1.08 = 205.092 USD → 205.09. Converted deal: 500 000 JPY × 0.0065 = 3250.00 USD
    // in the first default stage (10%, pipeline) → weighted 325.00.
    const sam = f.body.owners.find((o: { ownerId: string }) => o.ownerId === 'u-sam')
    expect(sam).toEqual({
      ownerId: 'u-sam',
      closedWon: 20509,
      commit: 20509,
      bestCase: 20509,
      pipeline: 325000,
      weighted: 32500,
      quota: 500000,
      deals: 2,
    })
    expect(f.body).toMatchObject({ currency: 'USD', period: QUARTER, missingRates: [] })

    const q1 = await api.call('GET', `/forecast?period=${Number(TODAY.slice(0, 4)) + 5}-Q1`, {
      token: viewer,
    })
    expect(q1.body.total.deals).toBe(0)
  })

  it("lists today's activities and sends a due reminder once through the schedule", async () => {
    const now = Date.now()
    const created = await api.call('POST', '/activities', {
      token: sales,
      body: {
        type: 'call',
        subject: 'Follow up on the proposal',
        relatedTo: { type: 'deal', id: dealId },
        dueAt: new Date(Math.min(now + 60_000, Date.parse(`${TODAY}T23:59:59.000Z`))).toISOString(),
        reminderAt: new Date(now - 60_000).toISOString(),
      },
    })
    expect(created.status, created.text).toBe(201)
    const id = created.body.id

    const today = await api.call('GET', '/activities?view=today', { token: sales })
    expect(today.body.items.map((a: { id: string }) => a.id)).toContain(id)
    const ofDeal = await api.call('GET', `/activities?relatedType=deal&relatedId=${dealId}`, {
      token: viewer,
    })
    expect(ofDeal.body.items.map((a: { id: string }) => a.id)).toEqual([id])

    const run = await api.call('POST', '/_local/schedules/pipeline/reminders')
    expect(run.status, run.text).toBe(200)
    await api.call('POST', '/_local/schedules/pipeline/reminders')
    const reminders = await eventually(async () => {
      const evs = await busEvents(
        (e) => e['detail-type'] === 'Activity.ReminderDue' && e.detail.data.id === id,
      )
      return evs.length ? evs : undefined
    }, 5_000)
    expect(reminders).toHaveLength(1)
    expect(reminders?.[0].detail.data).toMatchObject({
      ownerId: 'u-sam',
      relatedTo: { type: 'deal', id: dealId },
    })
    expect((await api.call('GET', `/activities/${id}`, { token: sales })).body.reminderSentAt).toBeTruthy()
  })

  it('a deal and an activity follow their contact through a merge, and forget it when it is erased', async () => {
    // Prepare: two contacts of the same person, a deal and an activity on the one that will be absorbed
    const admin = await api.token('acme', ['admin'])
    const keep = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Nia', lastName: 'Rhys' },
    })
    const dup = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'NIA', lastName: 'RHYS' },
    })
    expect([keep.status, dup.status], `${keep.text} ${dup.text}`).toEqual([201, 201])
    const deal = await api.call('POST', '/deals', {
      token: sales,
      body: { name: 'Nia deal', contactId: dup.body.id },
    })
    const act = await api.call('POST', '/activities', {
      token: sales,
      body: { type: 'email', subject: 'Send the quote', relatedTo: { type: 'contact', id: dup.body.id } },
    })
    expect([deal.status, act.status]).toEqual([201, 201])

    // Act: merge (contacts publishes Contact.Merged; pipeline follows)
    const merged = await api.call('POST', `/contacts/${keep.body.id}/merge`, {
      token: admin,
      body: { sourceId: dup.body.id },
    })
    expect(merged.status, merged.text).toBe(200)

    // Assess
    const moved = await eventually(async () => {
      const d = await api.call('GET', `/deals/${deal.body.id}`, { token: viewer })
      return d.body.contactId === keep.body.id ? d.body : undefined
    }, 5_000)
    expect(moved?.contactId).toBe(keep.body.id)
    // Deals are re-pointed before activities, in the same delivery: wait for both.
    const related = await eventually(async () => {
      const r = await api.call('GET', `/activities?relatedType=contact&relatedId=${keep.body.id}`, {
        token: viewer,
      })
      return r.body.items.length ? r.body.items : undefined
    }, 5_000)
    expect(related?.map((a: { id: string }) => a.id)).toEqual([act.body.id])
    // A new deal may not point at the merged-away contact: the answer names the survivor.
    const late = await eventually(async () => {
      const r = await api.call('POST', '/deals', {
        token: sales,
        body: { name: 'Late', contactId: dup.body.id },
      })
      return r.status === 400 ? r : undefined
    }, 5_000)
    expect(late?.body.errors).toEqual([
      expect.objectContaining({ field: 'contactId', code: 'contact_merged' }),
    ])
    expect(late?.body.errors[0].message).toContain(keep.body.id)

    // A converted lead follows its contact into the survivor too.
    const lead = await api.call('POST', '/leads', { token: sales, body: { lastName: 'Rhys', source: 'web' } })
    const conversion = await api.call('POST', `/leads/${lead.body.id}/convert`, { token: sales, body: {} })
    expect(conversion.status, conversion.text).toBe(200)
    await eventually(async () => {
      const c = await api.call('GET', `/contacts/${conversion.body.contactId}`, { token: viewer })
      return c.status === 200 ? c : undefined
    }, 10_000)
    const second = await api.call('POST', `/contacts/${keep.body.id}/merge`, {
      token: admin,
      body: { sourceId: conversion.body.contactId },
    })
    expect(second.status, second.text).toBe(200)
    const followed = await eventually(async () => {
      const l = await api.call('GET', `/leads/${lead.body.id}`, { token: viewer })
      return l.body.conversion?.contactId === keep.body.id ? l.body : undefined
    }, 5_000)
    expect(followed?.conversion.contactId).toBe(keep.body.id)

    // Act + Assess: erasure (Contact.Erased) → the deal forgets the person, the activity about them goes
    expect((await api.call('DELETE', `/contacts/${keep.body.id}?erase=true`, { token: admin })).status).toBe(
      204,
    )
    const forgotten = await eventually(async () => {
      const d = await api.call('GET', `/deals/${deal.body.id}`, { token: viewer })
      return d.body.contactId === undefined ? d.body : undefined
    }, 5_000)
    expect(forgotten?.id).toBe(deal.body.id)
    const gone = await eventually(async () => {
      const r = await api.call('GET', `/activities/${act.body.id}`, { token: viewer })
      return r.status === 404 ? r : undefined
    }, 5_000)
    expect(gone?.status).toBe(404)
  })
})
