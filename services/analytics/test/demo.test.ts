import { EVENT_CATALOGUE, envelopeSchema } from '@relay/contracts/events'
import { LogInteraction } from '@relay/contracts/interactions'
import { demoPeople, HISTORY_MONTHS } from '@relay/local/demo'
import { DEMO_PRODUCTS, demoHistory } from '@relay/local/demo-history'
import { describe, expect, it } from 'vitest'
import { cleanSeries, forecast } from '../src/domain/forecast.js'

const NOW = new Date('2026-12-01T12:00:00.000Z')
const contacts = demoPeople().map((p, i) => ({
  id: `01JDEMO${String(i).padStart(19, '0')}`,
  email: p.email,
  name: `${p.firstName} ${p.lastName}`,
}))
const contract = (source: string, detailType: string) =>
  EVENT_CATALOGUE.find((c) => c.source === source && c.detailType === detailType)

describe('demo history (a small slice)', () => {
  const slice = demoHistory({ now: NOW, months: 19, contacts, scale: 0.2 })

  it('meets every producer’s event contract, envelope and data', () => {
    for (const e of slice.entries) {
      const c = contract(e.Source, e.DetailType)
      expect(c, `${e.Source} ${e.DetailType} has a contract`).toBeDefined()
      const parsed = envelopeSchema(c!).safeParse(JSON.parse(e.Detail))
      expect(parsed.success, `${e.DetailType}: ${JSON.stringify(parsed.error?.issues?.[0])}`).toBe(true)
    }
    for (const p of slice.purchases) expect(LogInteraction.safeParse(p.body).success).toBe(true)
  })

  it('spans at least 18 months across pipeline, service desk and campaigns, backdated and never ahead of now', () => {
    const types = new Set(slice.entries.map((e) => e.DetailType))
    for (const t of [
      'Deal.Created',
      'Deal.Won',
      'Deal.Lost',
      'Lead.Created',
      'Ticket.Opened',
      'Ticket.Solved',
      'Email.Sent',
      'Email.Opened',
    ])
      expect(types).toContain(t)
    const times = slice.entries.map((e) => e.Time)
    expect([...times].sort()).toEqual(times)
    expect(times.at(-1)! <= NOW.toISOString()).toBe(true)
    expect(Date.parse(times[0]!)).toBeLessThan(Date.UTC(2025, 5, 1))
    const months = new Set(
      slice.entries.filter((e) => e.DetailType === 'Deal.Won').map((e) => e.Time.slice(0, 7)),
    )
    expect(months.size).toBeGreaterThanOrEqual(18)
    for (const p of slice.purchases) expect(p.body.occurredAt <= NOW.toISOString()).toBe(true)
  })

  it('is reproducible: the same inputs give the same events and ids (a reload is deduped)', () => {
    const again = demoHistory({ now: NOW, months: 19, contacts, scale: 0.2 })
    expect(again.entries).toEqual(slice.entries)
    const ids = slice.entries.map((e) => JSON.parse(e.Detail).id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('lets the last three contacts go quiet for four months (the churn risks)', () => {
    const quiet = new Set(contacts.slice(-3).map((c) => c.id))
    const since = NOW.getTime() - 120 * 86_400_000
    const engaged = slice.entries.filter((e) => {
      const d = JSON.parse(e.Detail).data
      const who = d.contactId ?? d.deal?.contactId
      return (
        quiet.has(who) &&
        ['Email.Opened', 'Email.Clicked', 'Deal.Won'].includes(e.DetailType) &&
        Date.parse(e.Time) > since
      )
    })
    expect(engaged).toEqual([])
  })
})

describe('demo history (full size): what the forecast will see', () => {
  const full = demoHistory({ now: NOW, months: HISTORY_MONTHS, contacts })
  const revenue = new Map<string, number>()
  for (const e of full.entries)
    if (e.DetailType === 'Deal.Won') {
      const month = e.Time.slice(0, 7)
      revenue.set(month, (revenue.get(month) ?? 0) + JSON.parse(e.Detail).data.deal.amount.amountMinor)
    }
  const months = [...revenue.keys()].sort().filter((m) => m < '2026-12')
  const series = months.map((m) => revenue.get(m)!)

  it('has a seasonal, growing revenue with one outsized month that the forecast sets aside', () => {
    expect(series).toHaveLength(HISTORY_MONTHS)
    const { outliers } = cleanSeries(series, 12)
    const outsized = series.indexOf(Math.max(...series))
    expect(outliers.map((o) => o.index)).toContain(outsized)
    const f = forecast(series, { seasonLength: 12, horizon: 6 })
    expect(f.method).toBe('holt-winters-additive')
    // Four months held out; the demo's deals are few and lumpy, so the error is honest, not tiny.
    expect(f.backtest.periods).toBe(4)
    expect(f.backtest.mape).toBeLessThan(40)
    // The outsized deal does not lift the norm: the next months stay within the usual range.
    const usual = series.filter((_, i) => i !== outsized)
    for (const p of f.points) expect(p.value).toBeLessThan(1.5 * Math.max(...usual))
  })

  it('sells in baskets (the co-occurrence cross-sell needs pairs) at catalogue prices', () => {
    const prices = new Set<number>(Object.values(DEMO_PRODUCTS).map((p) => p.price))
    const won = full.entries
      .filter((e) => e.DetailType === 'Deal.Won')
      .map((e) => JSON.parse(e.Detail).data.deal)
    expect(won.filter((d) => d.lineItems.length > 1).length).toBeGreaterThan(won.length / 2)
    expect(
      won.filter((d) => d.lineItems.every((l: { unitPriceMinor: number }) => prices.has(l.unitPriceMinor)))
        .length,
    ).toBeGreaterThan(won.length - 2)
  })
})
