import { describe, expect, it } from 'vitest'
import { assessComplaintRate, assessTickets, MIN_BASELINE_DAYS } from '../src/domain/anomaly.js'
import { assessChurn, monthKey } from '../src/domain/churn.js'
import { suggestFor } from '../src/domain/cross-sell.js'

describe('churn risk', () => {
  const now = new Date('2026-04-15T12:00:00.000Z')
  const months = (from: number, to: number, n: number) =>
    Object.fromEntries(Array.from({ length: to - from + 1 }, (_, k) => [monthKey(now, from + k), n]))

  it('flags engagement that fell to half or less of the six months before, ignoring the partial month', () => {
    // Before (Jul-Dec 2025): 4 a month; recent (Jan-Mar 2026): 1 a month; April's 10 do not count yet.
    const monthly = { ...months(4, 9, 4), ...months(1, 3, 1), [monthKey(now)]: 10 }
    expect(assessChurn(monthly, [], now)).toEqual({
      atRisk: true,
      reasons: ['engagement_declined'],
      engagementBefore: 4,
      engagementRecent: 1,
    })
    // 3 a month lately is 75% of before: no flag. Too little before (1 a month): no norm to fall from.
    expect(assessChurn({ ...months(4, 9, 4), ...months(1, 3, 3) }, [], now).atRisk).toBe(false)
    expect(assessChurn({ ...months(4, 9, 1) }, [], now).atRisk).toBe(false)
  })

  it('flags a purchase long overdue against the contact’s own rhythm', () => {
    const monthly = {}
    const dates = ['2025-01-01', '2025-02-01', '2025-03-01', '2025-04-01'].map((d) => `${d}T00:00:00.000Z`)
    expect(assessChurn(monthly, dates, now).reasons).toEqual(['purchase_overdue'])
    // Two weeks after a monthly buyer's last purchase is nothing.
    expect(assessChurn(monthly, dates, new Date('2025-04-15T00:00:00.000Z')).atRisk).toBe(false)
    // Two purchases are no rhythm.
    expect(assessChurn(monthly, dates.slice(0, 2), now).atRisk).toBe(false)
  })
})

describe('cross-sell / up-sell', () => {
  const item = (productId: string, unitPriceMinor: number) => ({
    productId,
    name: `Product ${productId}`,
    unitPriceMinor,
  })
  const A = item('A', 1000)
  const B = item('B', 1200)
  const C = item('C', 5000)
  const D = item('D', 10_000)
  const baskets = [
    { contactId: 'c1', items: [A, B] },
    { contactId: 'c2', items: [A, B] },
    { contactId: 'c3', items: [A, B, C] },
    { contactId: 'c4', items: [A, C] },
    { contactId: 'c5', items: [A] },
    { contactId: 'c6', items: [B, D] },
    { contactId: 'c7', items: [B, D] },
  ]

  it('suggests what customers who bought the same bought, by cosine similarity, pricier ones as up-sell', () => {
    // c5 owns A. cos(A,C) = 2 / √(5·2) = 0.632; cos(A,B) = 3 / √(5·5) = 0.6; A and D never met.
    const s = suggestFor(baskets).get('c5')
    expect(s).toEqual([
      { productId: 'C', name: 'Product C', kind: 'up_sell', score: 0.632, because: ['A'] },
      { productId: 'B', name: 'Product B', kind: 'cross_sell', score: 0.6, because: ['A'] },
    ])
  })

  it('never suggests what the contact owns, nor a pair seen in fewer than two customers', () => {
    const all = suggestFor(baskets)
    for (const [contactId, list] of all) {
      const owned = new Set(baskets.find((b) => b.contactId === contactId)!.items.map((i) => i.productId))
      for (const s of list) expect(owned.has(s.productId)).toBe(false)
    }
    // C and B met once (c3): no C → B advice for c4 from C; B reaches c4 through A only.
    expect(all.get('c4')!.map((s) => [s.productId, s.because])).toEqual([['B', ['A']]])
    // c3 owns A, B, C: D went with B twice (c6, c7), and costs over 1.5× what c3 paid for B.
    expect(all.get('c3')).toEqual([
      { productId: 'D', name: 'Product D', kind: 'up_sell', score: 0.632, because: ['B'] },
    ])
  })
})

describe('early warning (robust z-score of daily counts)', () => {
  const norm = Array.from({ length: 28 }, (_, i) => [10, 12, 9, 11, 10, 8, 10][i % 7]!)

  it('warns when today is far above the robust baseline, and not for an ordinary busy day', () => {
    // median 10, MAD 1 → σ 1.4826: 20 is z 6.74; 14 is z 2.7.
    const high = assessTickets(20, norm)
    expect(high).toEqual({ anomalous: true, value: 20, baselineMedian: 10, z: 6.74, threshold: 3.5 })
    expect(assessTickets(14, norm).anomalous).toBe(false)
  })

  it('still sees a second spike: one earlier spike does not inflate the baseline', () => {
    const withSpike = [...norm.slice(0, 20), 60, ...norm.slice(21)]
    expect(assessTickets(20, withSpike).anomalous).toBe(true)
  })

  it('needs two weeks of history and a minimum count', () => {
    expect(assessTickets(40, norm.slice(0, MIN_BASELINE_DAYS - 1)).anomalous).toBe(false)
    const quiet = new Array(28).fill(0)
    expect(assessTickets(3, quiet).anomalous).toBe(false)
    expect(assessTickets(6, quiet)).toMatchObject({ anomalous: true, z: Number.POSITIVE_INFINITY })
  })

  it('judges the complaint rate on days with enough sends', () => {
    const days = Array.from({ length: 20 }, (_, i) => ({ sent: 1000, complaints: i % 3 === 0 ? 2 : 1 }))
    expect(assessComplaintRate({ sent: 1000, complaints: 15 }, days).anomalous).toBe(true)
    expect(assessComplaintRate({ sent: 1000, complaints: 2 }, days).anomalous).toBe(false)
    // 10 of 50 is a bad rate but too few sends to judge; low-volume days are no baseline either.
    expect(assessComplaintRate({ sent: 50, complaints: 10 }, days).anomalous).toBe(false)
    const thin = days.map((d) => ({ ...d, sent: 50 }))
    expect(assessComplaintRate({ sent: 1000, complaints: 15 }, thin).anomalous).toBe(false)
  })
})
