/**
 * `--demo` end to end, on a small slice (14 months at a tenth of the volume; the full history's shape,
 * 30 months across every service, is checked without a runtime in demo.test.ts):
 * contacts and purchases through the API, the history on the local bus, then the dashboard, a
 * report as CSV and as SVG, the forecast and a customer's scores all answer with real numbers.
 */
import { loadDemo } from '@relay/local/demo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, startApi } from '../../../test/e2e/harness.js'

let api: Api
let viewer: string
const lines: string[] = []

beforeAll(async () => {
  api = await startApi()
  viewer = await api.token('demo', ['viewer'])
  await loadDemo(api.runtime, (line) => lines.push(line), { months: 14, scale: 0.1 })
}, 180_000)
afterAll(async () => {
  await api?.stop()
})

describe('--demo (a slice)', () => {
  it('says what it loaded, and loading again adds nothing', async () => {
    expect(lines.join('\n')).toMatch(/demo: 30 contact\(s\) created/)
    expect(lines.join('\n')).toMatch(/demo: 14 months of history: \d+ backdated events on the local bus/)
    const again: string[] = []
    await loadDemo(api.runtime, (line) => again.push(line), { months: 14, scale: 0.1 })
    expect(again.join('\n')).toMatch(/demo: 0 contact\(s\) created/)
    expect(again.join('\n')).not.toMatch(/history/)
  })

  it('fills the dashboard over the last year with deals, tickets and emails', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10)
    const res = await api.call(
      'GET',
      `/analytics/dashboard?from=${from}&to=${today}&compare=previous_period`,
      {
        token: viewer,
      },
    )
    expect(res.status).toBe(200)
    const k = res.body.kpis
    for (const name of ['dealsWon', 'dealsLost', 'revenueWon', 'ticketsOpened', 'ticketsSolved', 'newLeads'])
      expect(k[name].value, name).toBeGreaterThan(0)
    expect(k.emailClickThroughRate.value).toBeGreaterThan(0)
    expect(k.csat.value).toBeGreaterThan(0)
  })

  it('answers a report as CSV and as an SVG chart, month by month', async () => {
    const from = new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10)
    const path = `/analytics/reports/revenue-won?from=${from}&interval=month`
    const csv = await api.call('GET', path, { token: viewer, headers: { accept: 'text/csv' } })
    expect(csv.status).toBe(200)
    const rows = csv.text.trim().split('\r\n')
    expect(rows.length).toBeGreaterThanOrEqual(14)
    expect(rows.slice(1).filter((r) => Number(r.split(',')[1]) > 0).length).toBeGreaterThanOrEqual(8)
    const svg = await api.call('GET', path, { token: viewer, headers: { accept: 'image/svg+xml' } })
    expect(svg.status).toBe(200)
    expect(svg.headers.get('content-type')).toContain('image/svg+xml')
    expect(svg.text).toContain('<svg')
    expect(svg.text).toMatch(/class="series"/)
  })

  it('forecasts revenue from its own history, and scores customers', async () => {
    const f = await api.call('GET', '/analytics/forecast?metric=revenue&horizon=6', { token: viewer })
    expect(f.status).toBe(200)
    expect(f.body.history.length).toBeGreaterThanOrEqual(10)
    expect(f.body.points).toHaveLength(6)
    expect(f.body.points[0].value).toBeGreaterThan(0)
    expect(f.body.currency).toBe('THB')

    const contacts = await api.call('GET', '/contacts?limit=50', { token: viewer })
    const scored = await Promise.all(
      contacts.body.items.map((c: { id: string }) =>
        api.call('GET', `/analytics/customers/${c.id}`, { token: viewer }),
      ),
    )
    const found = scored.filter((s) => s.status === 200).map((s) => s.body)
    expect(found.length).toBeGreaterThanOrEqual(10)
    expect(found.some((s) => s.segment !== null)).toBe(true)
    expect(found.some((s) => s.suggestions.length > 0)).toBe(true)
  })
})
