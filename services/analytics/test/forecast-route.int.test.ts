import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { context, httpEvent, parse } from '../../../test/support/http-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as aggregate } from '../src/handlers/aggregate-events.js'
import { handler as getForecast } from '../src/handlers/get-forecast.js'
import { manifest } from '../src/service.js'
import { dealClosed, dealCreated } from './fixtures.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`

/** The first day of the month `n` months before the current one (UTC). */
const monthsAgo = (n: number) => {
  const d = new Date()
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - n, 15)).toISOString().slice(0, 10)
}

const forecast = async (tenant: string, query: Record<string, string>) =>
  parse(
    await getForecast(
      httpEvent({ method: 'GET', path: '/analytics/forecast', query, tenant, roles: ['viewer'] }),
      context,
    ),
  )

describe('GET /analytics/forecast on DynamoDB Local', () => {
  beforeAll(async () => {
    await createServiceTable(STAGE, manifest, 'main')
  })
  afterAll(() => dropTable(process.env.ANALYTICS_MAIN_TABLE))

  it('forecasts revenue from the monthly aggregates, ignoring a one-off spike, blended with the open pipeline', async () => {
    // Prepare: 30 months of one won deal a month, $1000 + $20/month with a yearly swing, one $50 000 month.
    const tenant = `t${newId()}`
    const truth = (t: number) => Math.round(100_000 + 2000 * t + 20_000 * Math.sin((2 * Math.PI * t) / 12))
    // ±1.8% of deterministic noise, so the residuals (and the intervals) are not zero.
    const noise = (t: number) => (((t * 7919) % 13) - 6) * 300
    const events = []
    for (let k = 30; k >= 1; k--) {
      const t = 30 - k
      const day = monthsAgo(k)
      const id = `D${t}`
      const amountMinor = t === 20 ? 5_000_000 : truth(t) + noise(t)
      // Each deal took 61 or 62 days, from the 15th two months before.
      const createdAt = `${monthsAgo(k + 2)}T10:00:00.000Z`
      events.push(dealCreated(monthsAgo(k + 2), { id, version: 1, amountMinor }))
      events.push(
        dealClosed(day, true, { id, version: 2, amountMinor, createdAt, history: ['qualify', 'won'] }),
      )
    }
    // An open deal in `qualify`, a stage every closed deal went through and won from: weight 1.
    const today = new Date().toISOString().slice(0, 10)
    events.push(dealCreated(today, { id: 'OPEN1', version: 1, amountMinor: 40_000, stageId: 'qualify' }))
    for (const e of events)
      await aggregate(
        busEvent({
          source: 'crm.pipeline',
          detailType: e.type,
          data: e.data,
          id: e.id,
          occurredAt: e.occurredAt,
          tenantId: tenant,
        }),
      )

    // Act
    const res = await forecast(tenant, { metric: 'revenue', horizon: '6', interval: 'month' })

    // Assess
    expect(res.status).toBe(200)
    const f = res.body
    expect(f).toMatchObject({
      metric: 'revenue',
      interval: 'month',
      unit: 'money',
      currency: 'USD',
      method: 'holt-winters-additive',
    })
    expect(f.history).toHaveLength(30)
    expect(f.outliers.map((o: { period: string }) => o.period)).toEqual([monthsAgo(10).slice(0, 7)])
    expect(f.points.map((p: { period: string }) => p.period)).toEqual(
      [0, -1, -2, -3, -4, -5].map((n) => monthsAgo(n).slice(0, 7)),
    )
    f.points.slice(1).forEach((p: { statistical: number }, k: number) => {
      expect(Math.abs(p.statistical - truth(31 + k)) / truth(31 + k)).toBeLessThan(0.05)
    })
    expect(f.backtest.mape).toBeLessThan(5)
    // Open deals are on average half-way through a ~61-day cycle: the $400 spreads over the next two
    // months and, far below the norm, leaves the forecast where history puts it.
    expect(f.weightedPipeline).toBe(40_000)
    expect(f.points.map((p: { pipeline?: number }) => p.pipeline)).toEqual([
      20_000,
      20_000,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    for (const p of f.points) expect(p.value).toBe(p.statistical)
    for (const p of f.points) expect(p.p95.upper).toBeGreaterThan(p.p80.upper)
  })

  it('answers a tenant without history with zeros, and refuses what it cannot forecast', async () => {
    const empty = await forecast(`t${newId()}`, { metric: 'tickets-opened', interval: 'week', horizon: '3' })
    expect(empty.status).toBe(200)
    expect(empty.body.history).toEqual([])
    expect(empty.body.points.map((p: { value: number }) => p.value)).toEqual([0, 0, 0])
    expect((await forecast('x', { metric: 'win-rate' })).status).toBe(400)
    expect((await forecast('x', { metric: 'revenue', horizon: '0' })).status).toBe(400)
    expect((await forecast('x', { metric: 'revenue', horizon: '25' })).status).toBe(400)
  })
})
