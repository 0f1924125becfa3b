/**
 * RFM (recency, frequency, monetary) scores and segments per contact, pure.
 *
 * | score | recency (days since last purchase) | frequency (purchases) | monetary (total spent)   |
 * | ----- | ---------------------------------- | --------------------- | ------------------------ |
 * | 1..5  | quintile within the tenant, newer = higher | quintile, more = higher | quintile, more = higher |
 *
 * Quintiles use mid-ranks, so tied values share a score: score = 1 + ⌊5 · (below + tied/2) / n⌋, where
 * `below` counts the smaller values (all tied → 3, the middle).
 * With fewer than {@link MIN_CUSTOMERS_FOR_QUINTILES} customers quintiles say nothing (one customer
 * would be both best and worst): recency and frequency then use the fixed thresholds below, and
 * monetary is 3 (no peer to compare with).
 *
 * The segment comes from recency and frequency ({@link SEGMENT_GRID}, the usual RFM grid); monetary
 * ranks customers within a segment.
 */
import type { RfmSegment } from '@relay/contracts/analytics-events'

export const MIN_CUSTOMERS_FOR_QUINTILES = 10
/** Fixed recency bounds (days) for scores 5, 4, 3, 2; older is 1. */
export const RECENCY_DAYS = [30, 90, 180, 365] as const
/** Fixed frequency bounds (purchases) for scores 5, 4, 3, 2; fewer is 1. */
export const FREQUENCY_COUNTS = [10, 5, 3, 2] as const
const DAY_MS = 86_400_000

/** Segment by recency score (rows 5 → 1) and frequency score (columns 1 → 5). */
export const SEGMENT_GRID: Record<1 | 2 | 3 | 4 | 5, readonly RfmSegment[]> = {
  5: ['new', 'potential_loyalist', 'potential_loyalist', 'champions', 'champions'],
  4: ['promising', 'potential_loyalist', 'potential_loyalist', 'loyal', 'champions'],
  3: ['about_to_sleep', 'about_to_sleep', 'need_attention', 'loyal', 'loyal'],
  2: ['hibernating', 'hibernating', 'at_risk', 'at_risk', 'cant_lose'],
  1: ['lost', 'lost', 'at_risk', 'cant_lose', 'cant_lose'],
}

export type Score = 1 | 2 | 3 | 4 | 5

export interface Purchase {
  /** ISO timestamp. */
  at: string
  /** In the tenant's scoring currency, minor units. */
  amountMinor: number
}

export interface CustomerRfm {
  contactId: string
  recency: Score
  frequency: Score
  monetary: Score
  segment: RfmSegment
  recencyDays: number
  purchases: number
  totalMinor: number
  lastPurchaseAt: string
}

/** Quintile scores of `values` (higher value = higher score), ties sharing their mid-rank. */
export function quintiles(values: readonly number[]): Score[] {
  const n = values.length
  const sorted = [...values].sort((a, b) => a - b)
  const below = (v: number) => {
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (sorted[mid]! < v) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  return values.map((v) => {
    const b = below(v)
    let ties = 0
    while (b + ties < n && sorted[b + ties] === v) ties++
    return Math.min(5, 1 + Math.floor((5 * (b + ties / 2)) / n)) as Score
  })
}

function fixedScore(value: number, bounds: readonly number[], higherIsBetter: boolean): Score {
  for (let k = 0; k < bounds.length; k++) {
    const ok = higherIsBetter ? value >= bounds[k]! : value <= bounds[k]!
    if (ok) return (5 - k) as Score
  }
  return 1
}

export const segmentOf = (recency: Score, frequency: Score): RfmSegment =>
  SEGMENT_GRID[recency][frequency - 1]!

/** Scores every contact with at least one purchase, as of `now`. */
export function scoreCustomers(
  customers: readonly { contactId: string; purchases: readonly Purchase[] }[],
  now: Date,
): CustomerRfm[] {
  const buyers = customers
    .filter((c) => c.purchases.length > 0)
    .map((c) => {
      const last = c.purchases.reduce((a, p) => (p.at > a ? p.at : a), c.purchases[0]!.at)
      return {
        contactId: c.contactId,
        lastPurchaseAt: last,
        recencyDays: Math.max(0, Math.floor((now.getTime() - Date.parse(last)) / DAY_MS)),
        purchases: c.purchases.length,
        totalMinor: c.purchases.reduce((a, p) => a + p.amountMinor, 0),
      }
    })
  const useQuintiles = buyers.length >= MIN_CUSTOMERS_FOR_QUINTILES
  const r = useQuintiles
    ? quintiles(buyers.map((b) => -b.recencyDays))
    : buyers.map((b) => fixedScore(b.recencyDays, RECENCY_DAYS, false))
  const f = useQuintiles
    ? quintiles(buyers.map((b) => b.purchases))
    : buyers.map((b) => fixedScore(b.purchases, FREQUENCY_COUNTS, true))
  const m: Score[] = useQuintiles ? quintiles(buyers.map((b) => b.totalMinor)) : buyers.map(() => 3)
  return buyers.map((b, i) => ({
    ...b,
    recency: r[i]!,
    frequency: f[i]!,
    monetary: m[i]!,
    segment: segmentOf(r[i]!, f[i]!),
  }))
}
