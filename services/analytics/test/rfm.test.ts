import { describe, expect, it } from 'vitest'
import {
  MIN_CUSTOMERS_FOR_QUINTILES,
  quintiles,
  SEGMENT_GRID,
  scoreCustomers,
  segmentOf,
} from '../src/domain/rfm.js'

const NOW = new Date('2026-01-01T00:00:00.000Z')
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString()

describe('RFM binning', () => {
  it('cuts ten distinct values into five quintiles of two', () => {
    expect(quintiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    // Order of the input does not matter, only rank.
    expect(quintiles([10, 1, 9, 2])).toEqual([5, 1, 4, 2])
  })

  it('gives tied values one score, from their mid-rank', () => {
    // Six one-time buyers: 1 + ⌊5 · (0 + 6/2) / 10⌋ = 2; the 2 has six below: 1 + ⌊5 · 6.5 / 10⌋ = 4.
    expect(quintiles([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])).toEqual([2, 2, 2, 2, 2, 2, 4, 4, 5, 5])
    expect(quintiles([7, 7, 7])).toEqual([3, 3, 3])
  })

  it('maps recency × frequency to the segment grid', () => {
    expect(segmentOf(5, 1)).toBe('new')
    expect(segmentOf(5, 5)).toBe('champions')
    expect(segmentOf(1, 5)).toBe('cant_lose')
    expect(segmentOf(1, 1)).toBe('lost')
    expect(segmentOf(3, 3)).toBe('need_attention')
    // Every cell is filled.
    for (const r of [1, 2, 3, 4, 5] as const) expect(SEGMENT_GRID[r]).toHaveLength(5)
  })

  it('scores a small tenant on fixed recency and frequency bounds, monetary neutral', () => {
    // Act
    const scored = scoreCustomers(
      [
        {
          contactId: 'A',
          purchases: Array.from({ length: 12 }, (_, i) => ({ at: daysAgo(12 + i * 20), amountMinor: 1000 })),
        },
        { contactId: 'B', purchases: [{ at: daysAgo(153), amountMinor: 5000 }] },
        { contactId: 'C', purchases: [0, 30, 579].map((d) => ({ at: daysAgo(579 + d), amountMinor: 100 })) },
        { contactId: 'D', purchases: [] },
      ],
      NOW,
    )
    // Assess
    expect(scored.map((s) => [s.contactId, s.recency, s.frequency, s.monetary, s.segment])).toEqual([
      ['A', 5, 5, 3, 'champions'],
      ['B', 3, 1, 3, 'about_to_sleep'],
      ['C', 1, 3, 3, 'at_risk'],
    ])
    expect(scored[0]).toMatchObject({
      recencyDays: 12,
      purchases: 12,
      totalMinor: 12_000,
      lastPurchaseAt: daysAgo(12),
    })
  })

  it('scores a tenant of ten or more by quintiles, newer purchases scoring higher on recency', () => {
    const customers = Array.from({ length: MIN_CUSTOMERS_FOR_QUINTILES }, (_, i) => ({
      contactId: `c${i}`,
      // c0 bought most recently, once; c9 longest ago, ten times, spending the most.
      purchases: Array.from({ length: i + 1 }, (_, k) => ({
        at: daysAgo(10 * (i + 1) + k),
        amountMinor: 100 * (i + 1),
      })),
    }))
    const scored = scoreCustomers(customers, NOW)
    expect(scored.map((s) => s.recency)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1])
    expect(scored.map((s) => s.frequency)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    expect(scored.map((s) => s.monetary)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    expect(scored[0]!.segment).toBe('new')
    expect(scored[9]!.segment).toBe('cant_lose')
  })
})
