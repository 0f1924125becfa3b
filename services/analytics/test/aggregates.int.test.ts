import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { context, httpEvent, parse } from '../../../test/support/http-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { comparisonRange } from '../src/domain/calendar.js'
import { DIMENSIONS } from '../src/domain/cells.js'
import { dashboard } from '../src/domain/dashboard.js'
import { dayTable, fold } from '../src/domain/fold.js'
import type { AnalyticsEvent } from '../src/domain/ingest.js'
import { handler as aggregate } from '../src/handlers/aggregate-events.js'
import { handler as erase } from '../src/handlers/erase-contact.js'
import { handler as getDashboard } from '../src/handlers/get-dashboard.js'
import { handler as getReport } from '../src/handlers/get-report.js'
import { handler as putSettings } from '../src/handlers/put-analytics-settings.js'
import { manifest } from '../src/service.js'
import { readDays } from '../src/store/aggregates.js'
import * as f from './fixtures.js'
import { stream } from './fixtures.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const ZONE = 'Asia/Bangkok'
const SOURCES: Record<string, string> = {
  Contact: 'crm.contacts',
  Interaction: 'crm.contacts',
  Lead: 'crm.pipeline',
  Deal: 'crm.pipeline',
  Ticket: 'crm.service-desk',
  Email: 'crm.campaigns',
}

const delivery = (e: AnalyticsEvent, tenantId: string) =>
  busEvent({
    source: SOURCES[e.type.split('.')[0]!]!,
    detailType: e.type,
    data: e.data,
    id: e.id,
    occurredAt: e.occurredAt,
    tenantId,
  })

/** Delivers like the bus: a handler that throws (a lost revision race) is retried. */
async function deliver(e: AnalyticsEvent, tenantId: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await aggregate(delivery(e, tenantId))
    } catch (err) {
      if (attempt > 20) throw err
      await new Promise((r) => setTimeout(r, 20 * (attempt + 1)))
    }
  }
}

/** What the table holds for `tenantId`, every dimension, in the fold's shape. */
async function tableTotals(tenantId: string) {
  const out: Record<string, unknown> = {}
  for (const dim of DIMENSIONS) {
    const days: Record<string, Record<string, Record<string, number>>> = {}
    for (const [day, values] of await readDays(tenantId, dim, '0000-00-00', '~'))
      for (const [value, metrics] of values)
        for (const [metric, n] of Object.entries(metrics)) {
          // An ADD that cancels out leaves a 0 behind; the fold drops it.
          if (n === 0) continue
          days[day] ??= {}
          days[day][value] ??= {}
          days[day][value][metric] = n
        }
    out[dim] = days
  }
  return out
}
const foldTotals = (events: AnalyticsEvent[]) => {
  const totals = fold(events, ZONE).totals
  return Object.fromEntries(
    DIMENSIONS.map((dim) => [
      dim,
      Object.fromEntries([...dayTable(totals, dim)].map(([d, v]) => [d, Object.fromEntries(v)])),
    ]),
  )
}

async function scanTenant(tenantId: string) {
  const out = await documentClient().send(new ScanCommand({ TableName: process.env.ANALYTICS_MAIN_TABLE }))
  return (out.Items ?? []).filter((i) => String(i.pk).startsWith(`T#${tenantId}#`))
}

describe('analytics aggregates on DynamoDB Local', () => {
  beforeAll(async () => {
    await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(process.env.ANALYTICS_MAIN_TABLE))

  const events = stream()

  it('shuffled, duplicated and concurrent deliveries leave exactly what the pure fold says', async () => {
    // Prepare
    const tenant = 'shuffled'
    const res = await putSettings(
      httpEvent({
        method: 'PUT',
        path: '/analytics/settings',
        tenant,
        body: { timeZone: ZONE, baseCurrency: 'USD', rates: [{ currency: 'EUR', rate: '1.1' }] },
      }),
      context,
    )
    expect(parse(res).status).toBe(200)
    const deliveries = [...events, ...events.slice(0, 8)].sort(() => Math.random() - 0.5)
    // Act: four at a time, so events about one deal race each other.
    for (let i = 0; i < deliveries.length; i += 4)
      await Promise.all(deliveries.slice(i, i + 4).map((e) => deliver(e, tenant)))
    // Assess
    expect(await tableTotals(tenant)).toEqual(foldTotals(events))
  })

  it('replaying the history in order into an empty tenant rebuilds the same aggregates', async () => {
    const tenant = 'replayed'
    await putSettings(
      httpEvent({
        method: 'PUT',
        path: '/analytics/settings',
        tenant,
        body: { timeZone: ZONE, baseCurrency: 'USD', rates: [] },
      }),
      context,
    )
    for (const e of events) await deliver(e, tenant)
    expect(await tableTotals(tenant)).toEqual(await tableTotals('shuffled'))
  })

  it('the dashboard and reports read them: KPIs, CSV, SVG, and 406 for a type it cannot make', async () => {
    const q = { from: '2026-03-01', to: '2026-03-09' }
    const d = parse(
      await getDashboard(
        httpEvent({
          method: 'GET',
          path: '/analytics/dashboard',
          tenant: 'shuffled',
          query: q,
          roles: ['viewer'],
        }),
        context,
      ),
    )
    expect(d.status).toBe(200)
    expect(d.body.timeZone).toBe(ZONE)
    expect(d.body.kpis.newContacts.value).toBe(2)
    expect(d.body.kpis.contactsTotal.value).toBe(1)
    expect(d.body.kpis.dealsWon.value).toBe(1)
    expect(d.body.kpis.revenueWon.value).toBe(1_500)
    expect(d.body.kpis.openPipeline.value).toBe(0)
    expect(d.body.kpis.repeatPurchaseRate.value).toBe(0.5)

    const report = (accept: string, name = 'open-pipeline') =>
      getReport(
        httpEvent({
          method: 'GET',
          path: `/analytics/reports/${name}`,
          tenant: 'shuffled',
          params: { name },
          query: { ...q, interval: 'day' },
          headers: { accept },
        }),
        context,
      ) as Promise<{ statusCode: number; headers: Record<string, string>; body: string }>
    const json = parse(await report('application/json'))
    // Open pipeline in USD: D1 10.00 on 1 March, 15.00 from 2 March; D2 7.00 EUR (7.70) from 2 March, 9.00 EUR (9.90)
    // from 5 March; D3 0.50 from 5 March; all closed or deleted on 9 March.
    expect(json.body.series[0].points.map((p: { value: number }) => p.value)).toEqual([
      1_000, 2_270, 2_270, 2_270, 2_540, 2_540, 2_540, 2_540, 0,
    ])
    const csv = await report('text/csv')
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(csv.headers.vary).toBe('Accept')
    expect(csv.body.split('\r\n').slice(0, 3)).toEqual(['period,total', '2026-03-01,1000', '2026-03-02,2270'])
    const svg = await report('image/svg+xml', 'lead-funnel')
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8')
    expect(svg.body).toMatch(/<svg[\s\S]*>qualified<[\s\S]*<\/svg>\s*$/)
    const refused = await report('application/pdf')
    expect(refused.statusCode).toBe(406)
    expect(refused.headers['content-type']).toBe('application/problem+json')
  })

  it('a deal won through a 30-stage pipeline fits its one transaction (at most 99 writes)', async () => {
    const history = Array.from({ length: 30 }, (_, i) => `s${i}`)
    const e = f.dealClosed('2026-03-20', true, {
      id: 'BIG',
      version: 31,
      amountMinor: 5,
      contactId: 'C-big',
      history: [...history, 'won'],
    })
    await expect(aggregate(delivery(e, 'big'))).resolves.toBeUndefined()
    const stages = await readDays('big', 'stage', '~', '~')
    expect(stages.get('~')?.size).toBe(30)
  })

  it('month rollups give the same dashboard as the day items they sum', async () => {
    // February and March are whole months inside the range: read from their rollups.
    const query = { from: '2026-02-01', to: '2026-03-31', compare: 'previous_year' }
    const viaSpan = parse(
      await getDashboard(
        httpEvent({ method: 'GET', path: '/analytics/dashboard', tenant: 'shuffled', query }),
        context,
      ),
    ).body
    const previous = comparisonRange(query.from, query.to, 'previous_year')
    const byDays = dashboard({
      from: query.from,
      to: query.to,
      compare: 'previous_year',
      all: await readDays('shuffled', 'all', previous.from, '~'),
      stage: await readDays('shuffled', 'stage', previous.from, '~'),
      source: await readDays('shuffled', 'source', previous.from, '~'),
      baseCurrency: 'USD',
      rates: [{ currency: 'EUR', rate: '1.1' }],
    })
    expect(viaSpan).toEqual({ ...byDays, timeZone: ZONE })
    expect(viaSpan.kpis.dealsWon.value).toBe(1)
  })

  it('Contact.Erased leaves no trace of the contact: aggregates never held any personal data', async () => {
    // Prepare: the contact's buyer/click state is there, keyed by its id.
    const before = JSON.stringify(await scanTenant('shuffled'))
    expect(before).toContain('contact#C1')
    // Act
    await erase(
      busEvent({
        source: 'crm.contacts',
        detailType: 'Contact.Erased',
        data: { id: 'C1', version: 9 },
        tenantId: 'shuffled',
      }),
    )
    // Assess: no item names the contact, its name, email or what it bought; the counts are unchanged.
    const items = await scanTenant('shuffled')
    const text = JSON.stringify(items)
    for (const personal of ['C1', 'Somchai', 'somchai@example.com', 'ana@example.com', 'Bought a bike']) {
      expect(
        items.some((i) =>
          Object.values(i).some((v) => typeof v === 'string' && v.split('#').includes(personal)),
        ),
      ).toBe(false)
      expect(text).not.toContain(personal === 'C1' ? '"C1"' : personal)
    }
    expect(await tableTotals('shuffled')).toEqual(foldTotals(events))
  })
})
