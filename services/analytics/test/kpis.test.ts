import { describe, expect, it } from 'vitest'
import { bucketOf, buckets, comparisonRange, localDay, yearEarlier } from '../src/domain/calendar.js'
import { dashboard, report, reportCsv } from '../src/domain/dashboard.js'
import { dayTable, fold } from '../src/domain/fold.js'
import { bucketMiddle, bucketOfSeconds, quantile } from '../src/domain/histogram.js'
import type { AnalyticsEvent } from '../src/domain/ingest.js'
import { negotiate } from '../src/domain/negotiate.js'
import { monthEnd, spanPlan } from '../src/domain/span.js'
import * as f from './fixtures.js'

const MARCH = { from: '2026-03-01', to: '2026-03-31' }

function dash(
  events: AnalyticsEvent[],
  opts: {
    from?: string
    to?: string
    compare?: 'previous_period' | 'previous_year'
    rates?: { currency: string; rate: string }[]
  } = {},
) {
  const totals = fold(events, 'UTC').totals
  return dashboard({
    from: opts.from ?? MARCH.from,
    to: opts.to ?? MARCH.to,
    compare: opts.compare ?? 'previous_period',
    all: dayTable(totals, 'all'),
    stage: dayTable(totals, 'stage'),
    source: dayTable(totals, 'source'),
    baseCurrency: 'USD',
    rates: opts.rates ?? [],
  })
}

describe('calendar', () => {
  it('counts an event on the tenant-local day', () => {
    expect(localDay('2026-03-01T23:30:00Z', 'Asia/Bangkok')).toBe('2026-03-02')
    expect(localDay('2026-03-01T03:30:00Z', 'America/New_York')).toBe('2026-02-28')
    expect(localDay('2026-03-01T23:30:00Z', 'UTC')).toBe('2026-03-01')
  })

  it('compares with the period just before or the same dates a year earlier', () => {
    expect(comparisonRange('2026-03-01', '2026-03-31', 'previous_period')).toEqual({
      from: '2026-01-29',
      to: '2026-02-28',
    })
    expect(comparisonRange('2026-03-01', '2026-03-31', 'previous_year')).toEqual({
      from: '2025-03-01',
      to: '2025-03-31',
    })
    expect(yearEarlier('2024-02-29')).toBe('2023-02-28')
  })

  it('buckets days by ISO week (Monday) and month', () => {
    expect(bucketOf('2026-03-01', 'week')).toBe('2026-02-23') // a Sunday
    expect(bucketOf('2026-03-02', 'week')).toBe('2026-03-02')
    expect(bucketOf('2026-03-31', 'month')).toBe('2026-03')
    expect(buckets('2026-02-27', '2026-03-02', 'month')).toEqual([
      { key: '2026-02', lastDay: '2026-02-28' },
      { key: '2026-03', lastDay: '2026-03-02' },
    ])
  })
})

describe('histogram', () => {
  it('puts durations in log buckets, 4 per doubling, and reads quantiles within 9%', () => {
    expect(bucketOfSeconds(0)).toBe(0)
    expect(bucketOfSeconds(1)).toBe(0)
    expect(bucketOfSeconds(2)).toBe(4)
    expect(bucketOfSeconds(3600)).toBe(48)
    const counts = new Map<number, number>()
    for (const minutes of [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) {
      const b = bucketOfSeconds(minutes * 60)
      counts.set(b, (counts.get(b) ?? 0) + 1)
    }
    // Nearest rank: the median is the 5th value (50 min), p90 the 9th (90 min).
    expect(Math.abs(quantile(counts, 0.5)! / 60 - 50) / 50).toBeLessThan(0.09)
    expect(Math.abs(quantile(counts, 0.9)! / 60 - 90) / 90).toBeLessThan(0.09)
    expect(quantile(new Map(), 0.5)).toBeNull()
    expect(bucketMiddle(4)).toBeCloseTo(2 ** 0.875)
  })
})

describe('KPIs on hand-checked data', () => {
  it('counts contacts and leads by source, with the change against the previous period', () => {
    const k = dash([
      f.contactCreated('2026-03-02', { source: 'web' }),
      f.contactCreated('2026-03-03', { source: 'web' }),
      f.contactCreated('2026-03-04', { source: 'referral' }),
      f.contactCreated('2026-02-10', { source: 'web' }),
      f.leadCreated('2026-03-05', 'ads'),
      f.leadCreated('2026-03-06', 'ads'),
      f.leadCreated('2026-03-07', 'web'),
      f.leadCreated('2026-03-08', 'web'),
      f.leadCreated('2026-02-08', 'web'),
      f.leadConverted('2026-03-09', 'ads'),
    ])
    expect(k.kpis.newContacts).toEqual({ value: 3, previous: 1, change: 2, unit: 'count' })
    expect(k.kpis.contactsTotal.value).toBe(4)
    expect(k.kpis.contactsTotal.previous).toBe(1)
    expect(k.kpis.newLeads).toMatchObject({ value: 4, previous: 1, change: 3 })
    expect(k.kpis.leadConversionRate.value).toBe(0.25)
    expect(k.leadsBySource).toEqual([
      { value: 'ads', current: 2, previous: 0, change: null },
      { value: 'web', current: 2, previous: 1, change: 1 },
    ])
    expect(k.contactsBySource[0]).toEqual({ value: 'web', current: 2, previous: 1, change: 1 })
  })

  it('contactsTotal falls with deletes and never shows a negative', () => {
    const c = f.contactCreated('2026-03-02', { id: 'C-A' })
    expect(dash([c, f.contactDeleted('2026-03-03', 'C-A')]).kpis.contactsTotal.value).toBe(0)
    expect(dash([f.contactDeleted('2026-03-03', 'C-B')]).kpis.contactsTotal.value).toBe(0)
  })

  it('deals: created, won, lost, revenue in the base currency, win rate, deal size, sales cycle', () => {
    const k = dash(
      [
        f.dealCreated('2026-03-01', { id: 'D1', version: 1, amountMinor: 10_000 }),
        f.dealCreated('2026-03-01', { id: 'D2', version: 1, amountMinor: 30_000 }),
        f.dealCreated('2026-03-01', { id: 'D3', version: 1, amountMinor: 5_000 }),
        f.dealClosed('2026-03-11', true, {
          id: 'D1',
          version: 2,
          amountMinor: 10_000,
          createdAt: f.at('2026-03-01'),
        }),
        // 300.00 EUR at 1.10 = 330.00 USD
        f.dealClosed('2026-03-21', true, {
          id: 'D2',
          version: 2,
          amountMinor: 30_000,
          currency: 'EUR',
          createdAt: f.at('2026-03-01'),
        }),
        f.dealClosed('2026-03-05', false, {
          id: 'D3',
          version: 2,
          amountMinor: 5_000,
          createdAt: f.at('2026-03-01'),
        }),
      ],
      { rates: [{ currency: 'EUR', rate: '1.10' }] },
    )
    expect(k.kpis.dealsCreated.value).toBe(3)
    expect(k.kpis.dealsWon.value).toBe(2)
    expect(k.kpis.dealsLost.value).toBe(1)
    expect(k.kpis.revenueWon.value).toBe(43_000)
    expect(k.kpis.winRate.value).toBeCloseTo(2 / 3)
    expect(k.kpis.averageDealSize.value).toBe(21_500)
    // 10 and 20 days: mean 15 days.
    expect(k.kpis.averageSalesCycle.value).toBe(15 * 86_400)
    expect(Math.abs(k.kpis.salesCycleMedian.value! - 10 * 86_400) / (10 * 86_400)).toBeLessThan(0.09)
    expect(Math.abs(k.kpis.salesCycleP90.value! - 20 * 86_400) / (20 * 86_400)).toBeLessThan(0.09)
    expect(k.kpis.openPipeline.value).toBe(0)
    expect(k.unconvertedCurrencies).toEqual([])
  })

  it('says which currencies it could not convert instead of guessing a rate', () => {
    const k = dash([
      f.dealClosed('2026-03-11', true, { id: 'D9', version: 2, amountMinor: 1000, currency: 'JPY' }),
    ])
    expect(k.kpis.revenueWon.value).toBe(0)
    expect(k.unconvertedCurrencies).toEqual(['JPY'])
  })

  it('open and weighted pipeline: stock at the period end, stages weighted by their learned win rate', () => {
    const k = dash([
      // History: from "qualify" 1 won, 1 lost (50 %); from "proposal" 3 won, 1 lost (75 %).
      f.dealClosed('2026-01-05', true, {
        id: 'H1',
        version: 3,
        amountMinor: 1,
        history: ['qualify', 'proposal', 'won'],
      }),
      f.dealClosed('2026-01-05', false, {
        id: 'H2',
        version: 3,
        amountMinor: 1,
        history: ['qualify', 'lost'],
      }),
      f.dealClosed('2026-01-05', true, {
        id: 'H3',
        version: 2,
        amountMinor: 1,
        history: ['proposal', 'won'],
      }),
      f.dealClosed('2026-01-05', true, {
        id: 'H4',
        version: 2,
        amountMinor: 1,
        history: ['proposal', 'won'],
      }),
      f.dealClosed('2026-01-05', false, {
        id: 'H5',
        version: 2,
        amountMinor: 1,
        history: ['proposal', 'lost'],
      }),
      // Open: 1 000.00 in qualify, 2 000.00 in proposal (moved there in March, opened in February).
      f.dealCreated('2026-03-03', { id: 'O1', version: 1, amountMinor: 100_000, stageId: 'qualify' }),
      f.dealCreated('2026-02-10', { id: 'O2', version: 1, amountMinor: 200_000, stageId: 'qualify' }),
      f.dealStageChanged('2026-03-04', 'O2', 2, 'proposal'),
      // Opened and won in April: not in March's stock.
      f.dealCreated('2026-04-02', { id: 'O3', version: 1, amountMinor: 999_999 }),
    ])
    expect(k.kpis.openPipeline).toMatchObject({ value: 300_000, previous: 200_000, change: 0.5 })
    expect(k.kpis.openDeals.value).toBe(2)
    expect(k.kpis.weightedPipeline.value).toBe(100_000 * 0.5 + 200_000 * 0.75)
    // At the end of February O2 sat in qualify (50 %).
    expect(k.kpis.weightedPipeline.previous).toBe(200_000 * 0.5)
  })

  it('lead to customer, visits to purchases, repeat purchases and lifetime value', () => {
    const k = dash([
      f.leadCreated('2026-03-01'),
      f.leadCreated('2026-03-01'),
      f.leadCreated('2026-03-01'),
      f.leadCreated('2026-03-01'),
      f.dealClosed('2026-03-10', true, { id: 'DL', version: 2, amountMinor: 100, leadId: 'L-x' }),
      f.interaction('2026-03-02', 'web_visit', 'C1'),
      f.interaction('2026-03-02', 'web_visit', 'C2'),
      f.interaction('2026-03-02', 'web_visit', 'C3'),
      f.interaction('2026-03-02', 'web_visit', 'C4'),
      f.interaction('2026-03-03', 'purchase', 'C1', 5_000),
      f.interaction('2026-03-04', 'purchase', 'C1', 3_000),
      f.interaction('2026-03-05', 'purchase', 'C2', 4_000),
    ])
    expect(k.kpis.leadToCustomerRate.value).toBe(0.25)
    expect(k.kpis.visitToPurchaseRate.value).toBe(0.75)
    expect(k.kpis.purchases.value).toBe(3)
    expect(k.kpis.repeatPurchaseRate.value).toBe(0.5)
    expect(k.kpis.customerLifetimeValue.value).toBe(6_000)
  })

  it('tickets: opened, solved, business-minute medians and p90, SLA compliance, CSAT', () => {
    const solved = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((m, i) =>
      f.ticketSolved('2026-03-10', m, m * 3, i >= 8),
    )
    const k = dash([
      f.ticketOpened('2026-03-01'),
      f.ticketOpened('2026-03-02'),
      ...solved,
      f.ticketRated('2026-03-11', 5),
      f.ticketRated('2026-03-11', 4),
      f.ticketRated('2026-03-11', 2),
      f.ticketRated('2026-03-11', 5),
    ])
    expect(k.kpis.ticketsOpened.value).toBe(2)
    expect(k.kpis.ticketsSolved.value).toBe(10)
    const near = (v: number | null, want: number) => Math.abs(v! - want) / want
    expect(near(k.kpis.firstResponseMedian.value, 50)).toBeLessThan(0.09)
    expect(near(k.kpis.firstResponseP90.value, 90)).toBeLessThan(0.09)
    expect(near(k.kpis.resolutionMedian.value, 150)).toBeLessThan(0.09)
    expect(near(k.kpis.resolutionP90.value, 270)).toBeLessThan(0.09)
    expect(k.kpis.slaCompliance.value).toBe(0.8)
    expect(k.kpis.csat.value).toBe(0.75)
    expect(k.kpis.csatAverage.value).toBe(4)
  })

  it('campaigns: click-through and conversions within 30 days of a click', () => {
    const k = dash([
      ...['C1', 'C2', 'C3', 'C4'].map((c) => f.email('2026-03-01', 'Sent', c)),
      f.email('2026-03-01', 'Opened', 'C1'),
      f.email('2026-03-01', 'Opened', 'C2'),
      f.email('2026-03-01', 'Clicked', 'C1'),
      f.email('2026-03-01', 'Clicked', 'C2'),
      f.interaction('2026-03-05', 'purchase', 'C1', 100),
      // C2 bought before clicking: no conversion for the campaign.
      f.interaction('2026-02-20', 'purchase', 'C2', 100),
    ])
    expect(k.kpis.emailsSent.value).toBe(4)
    expect(k.kpis.emailClickThroughRate.value).toBe(0.5)
    expect(k.kpis.emailConversionRate.value).toBe(0.25)
  })

  it('a ratio with nothing to divide by is null, and so is its change', () => {
    const k = dash([])
    expect(k.kpis.winRate).toEqual({ value: null, previous: null, change: null, unit: 'ratio' })
    expect(k.kpis.weightedPipeline.value).toBeNull()
    expect(k.kpis.newContacts).toEqual({ value: 0, previous: 0, change: null, unit: 'count' })
  })
})

describe('reports', () => {
  const events = [
    f.leadCreated('2026-03-02', 'web'),
    f.leadCreated('2026-03-03', 'ads'),
    f.leadCreated('2026-03-10', 'web'),
    f.leadQualified('2026-03-10'),
    f.dealCreated('2026-03-11', { id: 'F1', version: 1, amountMinor: 1, leadId: 'L' }),
    f.dealClosed('2026-03-12', true, { id: 'F1', version: 2, amountMinor: 1, leadId: 'L' }),
  ]
  const totals = fold(events, 'UTC').totals
  const base = { from: '2026-03-01', to: '2026-03-14', baseCurrency: 'USD', rates: [] }

  it('a KPI series per week, grouped by source', () => {
    const r = report({
      ...base,
      name: 'new-leads',
      interval: 'week',
      groupBy: 'source',
      table: dayTable(totals, 'source'),
    })
    expect(r.series).toEqual([
      {
        key: 'ads',
        points: [
          { period: '2026-02-23', value: 0 },
          { period: '2026-03-02', value: 1 },
          { period: '2026-03-09', value: 0 },
        ],
        total: 1,
      },
      {
        key: 'web',
        points: [
          { period: '2026-02-23', value: 0 },
          { period: '2026-03-02', value: 1 },
          { period: '2026-03-09', value: 1 },
        ],
        total: 2,
      },
    ])
  })

  it('a running total at the end of each period: before, inside and after the range', () => {
    const c = f.contactCreated('2026-03-02', { id: 'C-R' })
    const t = fold(
      [
        f.contactCreated('2026-02-27'),
        c,
        f.contactDeleted('2026-03-03', 'C-R'),
        f.contactCreated('2026-03-05'),
      ],
      'UTC',
    ).totals
    const r = report({
      ...base,
      to: '2026-03-03',
      name: 'contacts-total',
      interval: 'day',
      table: dayTable(t, 'all'),
    })
    expect(r.series[0]!.points).toEqual([
      { period: '2026-03-01', value: 1 },
      { period: '2026-03-02', value: 2 },
      { period: '2026-03-03', value: 1 },
    ])
    expect(r.series[0]!.total).toBe(1)
  })

  it('the lead funnel with the rate from each step', () => {
    const r = report({ ...base, name: 'lead-funnel', interval: 'month', table: dayTable(totals, 'all') })
    expect(r.steps).toEqual([
      { step: 'lead', count: 3, rateFromPrevious: null },
      { step: 'qualified', count: 1, rateFromPrevious: 1 / 3 },
      { step: 'opportunity', count: 1, rateFromPrevious: 1 },
      { step: 'won', count: 1, rateFromPrevious: 1 },
    ])
  })

  it('as CSV: one row per period, one column per series, spreadsheet formulas defused', () => {
    const r = report({
      ...base,
      name: 'new-leads',
      interval: 'week',
      groupBy: 'source',
      table: dayTable(totals, 'source'),
    })
    expect(reportCsv(r)).toBe('period,ads,web\r\n2026-02-23,0,0\r\n2026-03-02,1,1\r\n2026-03-09,0,1\r\n')
    const evil = { ...r, series: [{ key: '=HYPERLINK("x")', points: r.series[0]!.points, total: 1 }] }
    expect(reportCsv(evil).split('\r\n')[0]).toBe('period,"\'=HYPERLINK(""x"")"')
  })
})

describe('span plan', () => {
  it('reads whole months inside one range as rollups, days where a range ends inside a month', () => {
    // Dashboard of 1 Feb .. 15 Apr against the previous period (17 Nov .. 31 Jan).
    expect(spanPlan('2025-11-17', ['2025-11-16', '2026-01-31', '2026-01-31', '2026-04-15'])).toEqual({
      days: [
        ['2025-11-17', '2025-11-30'],
        ['2026-04-01', '2026-04-30'],
      ],
      months: [
        ['2025-12', '2026-03'],
        ['2026-05', '~'],
      ],
    })
    // A day-by-day report: no month inside the range can stand for its days.
    expect(spanPlan('2026-03-01', ['2026-03-01', '2026-03-02', '2026-03-03'])).toEqual({
      days: [['2026-03-01', '2026-03-31']],
      months: [['2026-04', '~']],
    })
    expect(monthEnd('2024-02')).toBe('2024-02-29')
  })
})

describe('content negotiation', () => {
  const offered = ['application/json', 'text/csv', 'image/svg+xml']
  it('picks by quality and specificity, JSON by default, nothing when all are refused', () => {
    expect(negotiate(undefined, offered)).toBe('application/json')
    expect(negotiate('*/*', offered)).toBe('application/json')
    expect(negotiate('text/csv', offered)).toBe('text/csv')
    expect(negotiate('image/*;q=0.9, application/json;q=0.5', offered)).toBe('image/svg+xml')
    expect(negotiate('text/csv;q=0, */*;q=0.1', offered)).toBe('application/json')
    expect(negotiate('application/pdf', offered)).toBeUndefined()
    expect(negotiate('garbage', offered)).toBeUndefined()
  })
})
