/**
 * Churn risk from declining engagement, pure. Engagement = what the contact did that shows interest:
 * interactions logged (calls, meetings, chats, visits, purchases), campaign emails opened or clicked,
 * deals won; counted per calendar month (UTC).
 *
 * | flag                  | when                                                                                       |
 * | --------------------- | ------------------------------------------------------------------------------------------ |
 * | `engagement_declined` | the 6 months before averaged ≥ {@link MIN_MONTHLY_BEFORE}, and the last 3 full months ≤ {@link DECLINE_RATIO} of that |
 * | `purchase_overdue`    | ≥ {@link MIN_PURCHASES_FOR_RHYTHM} purchases, and the last one is older than {@link OVERDUE_FACTOR} × the median gap between them (and over 30 days) |
 *
 * The current month is partial, so it is never in the "recent" window: a quiet first week of the
 * month flags no one.
 */
import { median } from './robust.js'

export const MIN_MONTHLY_BEFORE = 2
export const DECLINE_RATIO = 0.5
export const RECENT_MONTHS = 3
export const BEFORE_MONTHS = 6
export const MIN_PURCHASES_FOR_RHYTHM = 3
export const OVERDUE_FACTOR = 2
const MIN_OVERDUE_DAYS = 30
const DAY_MS = 86_400_000

export type ChurnReason = 'engagement_declined' | 'purchase_overdue'

export interface ChurnAssessment {
  atRisk: boolean
  reasons: ChurnReason[]
  /** Monthly mean over the 6 months before the recent window. */
  engagementBefore: number
  /** Monthly mean over the last 3 full months. */
  engagementRecent: number
}

/** `YYYY-MM` of the month `offset` months before `now`'s (UTC). */
export function monthKey(now: Date, offset = 0): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - offset, 1))
  return d.toISOString().slice(0, 7)
}

/**
 * @param monthly engagements per `YYYY-MM`
 * @param purchaseDates ISO timestamps of the contact's purchases
 */
export function assessChurn(
  monthly: Readonly<Record<string, number>>,
  purchaseDates: readonly string[],
  now: Date,
): ChurnAssessment {
  const sum = (from: number, count: number) => {
    let total = 0
    for (let k = from; k < from + count; k++) total += monthly[monthKey(now, k)] ?? 0
    return total
  }
  const engagementRecent = sum(1, RECENT_MONTHS) / RECENT_MONTHS
  const engagementBefore = sum(1 + RECENT_MONTHS, BEFORE_MONTHS) / BEFORE_MONTHS
  const reasons: ChurnReason[] = []
  if (engagementBefore >= MIN_MONTHLY_BEFORE && engagementRecent <= DECLINE_RATIO * engagementBefore)
    reasons.push('engagement_declined')
  if (purchaseDates.length >= MIN_PURCHASES_FOR_RHYTHM) {
    const times = purchaseDates.map((d) => Date.parse(d)).sort((a, b) => a - b)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    const since = now.getTime() - times.at(-1)!
    if (since > OVERDUE_FACTOR * median(gaps) && since > MIN_OVERDUE_DAYS * DAY_MS)
      reasons.push('purchase_overdue')
  }
  const round = (v: number) => Math.round(v * 100) / 100
  return {
    atRisk: reasons.length > 0,
    reasons,
    engagementBefore: round(engagementBefore),
    engagementRecent: round(engagementRecent),
  }
}
