/**
 * Early warning when a ticket category or the email complaint rate rises abnormally, pure.
 *
 * Today's figure is compared with the previous {@link BASELINE_DAYS} days by a robust z-score,
 * (value − median) / (1.4826 · MAD): one earlier spike does not inflate the baseline the way a mean
 * and standard deviation would, so a second one is still seen. Only rises are warned about.
 *
 * | guard | why |
 * | ----- | --- |
 * | z ≥ {@link Z_THRESHOLD} (3.5, Iglewicz & Hoaglin) | the usual cut-off for a robust z |
 * | ≥ {@link MIN_BASELINE_DAYS} days of history | a young tenant has no norm yet |
 * | tickets: today ≥ {@link MIN_TICKETS} | 0 → 2 tickets is noise, however flat the norm |
 * | rate: today ≥ {@link MIN_SENT} emails sent | 1 complaint in 3 sends is no rate |
 *
 * Today is partial when checked during the day; counts only grow, so a partial day over the
 * threshold is certain to stay over it: the warning can come the hour it happens.
 */
import { median, robustZ } from './robust.js'

export const BASELINE_DAYS = 28
export const MIN_BASELINE_DAYS = 14
export const Z_THRESHOLD = 3.5
export const MIN_TICKETS = 5
export const MIN_SENT = 100

export interface AnomalyVerdict {
  anomalous: boolean
  value: number
  baselineMedian: number
  /** Rounded to 2 decimals; Infinity when the baseline is perfectly flat and today is above it. */
  z: number
  threshold: number
}

/**
 * @param today today's figure
 * @param previous the previous days' figures, oldest first (days without activity as 0); the last
 *   {@link BASELINE_DAYS} count
 */
export function assessDay(today: number, previous: readonly number[], minToday = 0): AnomalyVerdict {
  const baseline = previous.slice(-BASELINE_DAYS)
  const z = baseline.length ? robustZ(today, baseline) : 0
  return {
    anomalous: baseline.length >= MIN_BASELINE_DAYS && today >= minToday && z >= Z_THRESHOLD,
    value: today,
    baselineMedian: baseline.length ? median(baseline) : 0,
    z: Number.isFinite(z) ? Math.round(z * 100) / 100 : z,
    threshold: Z_THRESHOLD,
  }
}

/** Tickets opened today in one category against the previous days. */
export function assessTickets(today: number, previous: readonly number[]): AnomalyVerdict {
  return assessDay(today, previous, MIN_TICKETS)
}

/**
 * Complaint rate (complaints ÷ emails sent) today against the previous days' rates. Days that sent
 * fewer than {@link MIN_SENT} emails have no meaningful rate and are left out of the baseline.
 */
export function assessComplaintRate(
  today: { sent: number; complaints: number },
  previous: readonly { sent: number; complaints: number }[],
): AnomalyVerdict {
  const rate = (d: { sent: number; complaints: number }) => (d.sent > 0 ? d.complaints / d.sent : 0)
  const baseline = previous.filter((d) => d.sent >= MIN_SENT).map(rate)
  const verdict = assessDay(rate(today), baseline)
  return { ...verdict, anomalous: verdict.anomalous && today.sent >= MIN_SENT }
}
