/**
 * Analytics end to end, through the local gateway: writes in contacts, pipeline and the service
 * desk reach the bus through their outboxes, analytics' subscriber folds them into the daily
 * aggregates, and the dashboard (read from those aggregates only) moves within a second.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
let viewer: string

beforeAll(async () => {
  api = await startApi()
  admin = await api.token('shop', ['admin'])
  viewer = await api.token('shop', ['viewer'])
  // Warm-up in another tenant: the first delivery imports each function once (a cold start), which
  // is not the live path the one-second budget below is about.
  const warm = await api.token('warm-up', ['admin'])
  await api.call('POST', '/contacts', {
    token: warm,
    body: { firstName: 'Warm' },
    headers: { 'idempotency-key': 'w' },
  })
  await api.call('GET', '/analytics/dashboard', { token: warm })
  await eventually(
    async () =>
      (await api.call('GET', '/analytics/dashboard', { token: warm })).body.kpis.newContacts.value === 1,
    10_000,
  )
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const kpis = async () => (await api.call('GET', '/analytics/dashboard', { token: viewer })).body.kpis
const post = (path: string, body: unknown, key: string) =>
  api.call('POST', path, { token: admin, body, headers: { 'idempotency-key': key } })

/** Waits (up to a second) until `probe` holds, and says how long it took. */
async function within1s(probe: (k: Record<string, { value: number | null }>) => boolean): Promise<number> {
  const started = Date.now()
  const ok = await eventually(async () => probe(await kpis()), 1_000, 25)
  const ms = Date.now() - started
  expect(ok, `dashboard still unchanged after ${ms} ms`).toBe(true)
  return ms
}

describe('activity across services moves the dashboard', () => {
  it('starts at zero, in UTC, with every KPI and its comparison', async () => {
    const res = await api.call('GET', '/analytics/dashboard?compare=previous_year', { token: viewer })
    expect(res.status).toBe(200)
    expect(res.body.timeZone).toBe('UTC')
    expect(res.body.kpis.newContacts).toEqual({ value: 0, previous: 0, change: null, unit: 'count' })
    expect(Object.keys(res.body.kpis)).toEqual(
      expect.arrayContaining(['openPipeline', 'winRate', 'csat', 'emailClickThroughRate']),
    )
  })

  it('a new contact and a new lead, by source', async () => {
    expect((await post('/contacts', { firstName: 'Nok', source: 'web' }, 'c-1')).status).toBe(201)
    expect(
      (await post('/leads', { firstName: 'Aiko', email: 'aiko@example.jp', source: 'referral' }, 'l-1'))
        .status,
    ).toBe(201)
    await within1s(
      (k) => k.newContacts!.value === 1 && k.newLeads!.value === 1 && k.contactsTotal!.value === 1,
    )
    const d = (await api.call('GET', '/analytics/dashboard', { token: viewer })).body
    expect(d.leadsBySource).toEqual([{ value: 'referral', current: 1, previous: 0, change: null }])
  })

  it('a deal opens the pipeline; winning it moves revenue, win rate and the pipeline back', async () => {
    const deal = await post(
      '/deals',
      { name: 'Bikes', amount: { amountMinor: 125_000, currency: 'USD' } },
      'd-1',
    )
    expect(deal.status).toBe(201)
    await within1s((k) => k.openPipeline!.value === 125_000 && k.dealsCreated!.value === 1)
    const won = await post(`/deals/${deal.body.id}/stage`, { stageId: 'won' }, 'd-1-won')
    expect(won.status).toBe(200)
    await within1s(
      (k) =>
        k.dealsWon!.value === 1 &&
        k.revenueWon!.value === 125_000 &&
        k.openPipeline!.value === 0 &&
        k.winRate!.value === 1,
    )
  })

  it('a ticket opened at the service desk', async () => {
    const ticket = await post(
      '/tickets',
      {
        subject: 'Chain broke',
        description: 'Snapped on the first ride.',
        requester: { email: 'nok@example.com' },
        channel: 'email',
        priority: 'high',
        type: 'incident',
      },
      't-1',
    )
    expect(ticket.status).toBe(201)
    await within1s((k) => k.ticketsOpened!.value === 1)
  })

  it("campaign emails on the bus (campaigns' contracts), a redelivered one counted once", async () => {
    const bus = new EventBridgeClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      endpoint: api.runtime.eventsEndpoint,
    })
    const entry = (detailType: string, id: string, contactId: string) => ({
      Source: 'crm.campaigns',
      DetailType: detailType,
      EventBusName: `crm-${api.runtime.stage}`,
      Detail: JSON.stringify({
        id,
        tenantId: 'shop',
        occurredAt: new Date().toISOString(),
        version: 1,
        correlationId: `corr-${id}`,
        data: {
          contactId,
          email: `${contactId}@example.com`,
          campaignId: 'spring',
          variantId: 'A',
          sendId: `s-${contactId}`,
          occurredAt: new Date().toISOString(),
        },
      }),
    })
    const sent = [
      entry('Email.Sent', 'e-sent-1', 'c1'),
      entry('Email.Sent', 'e-sent-2', 'c2'),
      entry('Email.Clicked', 'e-click-1', 'c1'),
    ]
    // The first Email.Sent again: at-least-once delivery.
    const out = await bus.send(new PutEventsCommand({ Entries: [...sent, sent[0]!] }))
    bus.destroy()
    expect(out.FailedEntryCount ?? 0).toBe(0)
    await within1s((k) => k.emailsSent!.value === 2 && k.emailClickThroughRate!.value === 0.5)
  })

  it('a report of the same aggregates as JSON, CSV and SVG', async () => {
    const json = await api.call('GET', '/analytics/reports/revenue-won?interval=month', { token: viewer })
    expect(json.status).toBe(200)
    expect(json.body.series[0].total).toBe(125_000)
    const csv = await api.call('GET', '/analytics/reports/revenue-won?interval=month', {
      token: viewer,
      headers: { accept: 'text/csv' },
    })
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(csv.text.trim().split('\r\n').at(-1)).toMatch(/,125000$/)
    const svg = await api.call('GET', '/analytics/reports/new-leads?groupBy=source', {
      token: viewer,
      headers: { accept: 'image/svg+xml' },
    })
    expect(svg.status).toBe(200)
    expect(svg.text).toContain('referral')
    expect((await api.call('GET', '/analytics/reports/nope', { token: viewer })).status).toBe(404)
    expect(
      (await api.call('GET', '/analytics/reports/win-rate?groupBy=queue', { token: viewer })).status,
    ).toBe(400)
  })

  it('another tenant sees none of it', async () => {
    const other = await api.token('elsewhere', ['admin'])
    const k = (await api.call('GET', '/analytics/dashboard', { token: other })).body.kpis
    expect(k.newContacts.value).toBe(0)
    expect(k.revenueWon.value).toBe(0)
  })
})
