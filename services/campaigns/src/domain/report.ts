/**
 * A campaign's numbers per variant: the counters its events move and the rates the report shows.
 *
 * | counter        | moved by                                  | counted                         |
 * | -------------- | ----------------------------------------- | ------------------------------- |
 * | sent           | Email.Sent                                | every event                     |
 * | delivered      | Email.Delivered                           | every event                     |
 * | uniqueOpens    | Email.Opened, and Email.Clicked           | once per recipient (a marker)   |
 * | uniqueClicks   | Email.Clicked                             | once per recipient (a marker)   |
 * | clicks         | Email.Clicked (the first click of a link) | every event                     |
 * | unsubscribes   | Email.Unsubscribed                        | once per recipient (a marker)   |
 * | bounces        | Email.Bounced                             | every event                     |
 * | complaints     | Email.Complained                          | every event                     |
 * | conversions    | Deal.Won / purchase attributed to a click | once per recipient (a marker)   |
 * | revenue        | the same conversions                      | every attributed conversion     |
 *
 * A click counts as an open too: a recipient whose client blocks images (so the pixel never
 * loads) clicked, so they opened. Every event is counted once (the subscriber dedupes its id).
 *
 * | rate              | formula                        | why this denominator                      |
 * | ----------------- | ------------------------------ | ----------------------------------------- |
 * | openRate          | uniqueOpens / delivered        | a bounced email cannot be opened          |
 * | clickThroughRate  | uniqueClicks / delivered       | the industry's CTR                        |
 * | clickToOpenRate   | uniqueClicks / uniqueOpens     | how well the content converts readers     |
 * | conversionRate    | conversions / delivered        |                                           |
 * | bounceRate        | bounces / sent                 |                                           |
 * | unsubscribeRate   | unsubscribes / delivered       |                                           |
 * | complaintRate     | complaints / delivered         | Gmail/Yahoo ask senders to stay < 0.3 %   |
 *
 * `delivered` falls back to `sent − bounces` while no delivery notification came in (SES sends
 * them only when the configuration set asks for them).
 */

import {
  type AbCampaign,
  type AbDecisionView,
  type AbState,
  decisionView,
  goalOf,
  modeOf,
  type VariantStats,
} from './ab-test.js'
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from './attribution.js'
import type { Rng } from './bandit.js'

export const COUNTERS = [
  'sent',
  'delivered',
  'uniqueOpens',
  'uniqueClicks',
  'clicks',
  'unsubscribes',
  'bounces',
  'complaints',
  'conversions',
] as const
export type Counter = (typeof COUNTERS)[number]

export type Counters = Record<Counter, number>

export interface VariantCounters extends Counters {
  /** Attributed revenue in minor units per ISO 4217 currency. */
  revenue: Record<string, number>
}

export function emptyCounters(): VariantCounters {
  return {
    sent: 0,
    delivered: 0,
    uniqueOpens: 0,
    uniqueClicks: 0,
    clicks: 0,
    unsubscribes: 0,
    bounces: 0,
    complaints: 0,
    conversions: 0,
    revenue: {},
  }
}

/** The campaign events that move counters. */
export const METRIC_EVENTS = [
  'sent',
  'delivered',
  'opened',
  'clicked',
  'bounced',
  'complained',
  'unsubscribed',
] as const
export type MetricEvent = (typeof METRIC_EVENTS)[number]

/** Once-per-recipient markers. */
export type Marker = 'open' | 'click' | 'unsubscribe' | 'conversion'

export interface MetricChange {
  /** Counters to add 1 to. */
  add: Counter[]
  /** Markers to write (each on condition that it is not there yet). */
  mark: Marker[]
}

/**
 * What one event changes, given the markers the recipient already has.
 *
 * @example
 * metricChange('clicked', new Set(['open'])) // { add: ['uniqueClicks'], mark: ['click'] }
 */
export function metricChange(event: MetricEvent, marked: ReadonlySet<Marker>): MetricChange {
  const add: Counter[] = []
  const mark: Marker[] = []
  const once = (marker: Marker, counter: Counter) => {
    if (marked.has(marker) || mark.includes(marker)) return
    mark.push(marker)
    add.push(counter)
  }
  switch (event) {
    case 'sent':
      add.push('sent')
      break
    case 'delivered':
      add.push('delivered')
      break
    case 'bounced':
      add.push('bounces')
      break
    case 'complained':
      add.push('complaints')
      break
    case 'opened':
      once('open', 'uniqueOpens')
      break
    case 'clicked':
      add.push('clicks')
      once('open', 'uniqueOpens')
      once('click', 'uniqueClicks')
      break
    case 'unsubscribed':
      once('unsubscribe', 'unsubscribes')
      break
  }
  return { add, mark }
}

/** A share with 4 decimals (0.1234 = 12.34 %); 0 when nothing was there to divide. */
export function rate(part: number, whole: number): number {
  if (!(whole > 0)) return 0
  return Math.round((part / whole) * 10_000) / 10_000
}

export interface Rates {
  openRate: number
  clickThroughRate: number
  clickToOpenRate: number
  conversionRate: number
  bounceRate: number
  unsubscribeRate: number
  complaintRate: number
}

/** Delivered as the report counts it (see the module comment). */
export function deliveredOf(c: Counters): number {
  return c.delivered > 0 ? c.delivered : Math.max(0, c.sent - c.bounces)
}

export function ratesOf(c: Counters): Rates {
  const delivered = deliveredOf(c)
  return {
    openRate: rate(c.uniqueOpens, delivered),
    clickThroughRate: rate(c.uniqueClicks, delivered),
    clickToOpenRate: rate(c.uniqueClicks, c.uniqueOpens),
    conversionRate: rate(c.conversions, delivered),
    bounceRate: rate(c.bounces, c.sent),
    unsubscribeRate: rate(c.unsubscribes, delivered),
    complaintRate: rate(c.complaints, delivered),
  }
}

/** The campaign's totals: the sum over its variants. */
export function sumCounters(list: readonly VariantCounters[]): VariantCounters {
  const total = emptyCounters()
  for (const c of list) {
    for (const k of COUNTERS) total[k] += c[k]
    for (const [currency, minor] of Object.entries(c.revenue))
      total.revenue[currency] = (total.revenue[currency] ?? 0) + minor
  }
  return total
}

/** One variant's (or the campaign's) figures as the report shows them. */
export interface MetricsView extends Counters, Rates {
  variantId?: string
  name?: string
  revenue: { currency: string; amountMinor: number }[]
  /** Bandit campaigns: posterior probability that this variant is the best on the goal. */
  probabilityBest?: number
}

/** Counters and their rates in the report's shape. */
export function metricsView(
  c: VariantCounters,
  variant?: { id: string; name?: string | undefined },
  probabilityBest?: number,
): MetricsView {
  const { revenue, ...counts } = c
  return {
    ...(variant ? { variantId: variant.id, ...(variant.name ? { name: variant.name } : {}) } : {}),
    ...counts,
    ...ratesOf(c),
    revenue: Object.entries(revenue)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, amountMinor]) => ({ currency, amountMinor })),
    ...(probabilityBest !== undefined ? { probabilityBest: Math.round(probabilityBest * 1000) / 1000 } : {}),
  }
}

/** The campaign as the report reads it. */
export type ReportedCampaign = AbCampaign & {
  id: string
  status: 'draft' | 'scheduled' | 'sending' | 'sent' | 'cancelled'
  variants: readonly { id: string; name?: string | undefined }[]
}

/** What the allocation reads of the counters (sends and goal successes per variant). */
export function statsOf(counters: Readonly<Record<string, VariantCounters>>): Record<string, VariantStats> {
  return Object.fromEntries(
    Object.entries(counters).map(([id, c]) => [
      id,
      { sent: c.sent, opens: c.uniqueOpens, clicks: c.uniqueClicks, conversions: c.conversions },
    ]),
  )
}

/**
 * GET /campaigns/{id}/report: each variant's numbers, the totals, where the A/B test stands and
 * the decision once there is one.
 */
export function campaignReport(
  campaign: ReportedCampaign,
  counters: Readonly<Record<string, VariantCounters>>,
  state: AbState & { figures?: unknown },
  rng: Rng,
) {
  const view: AbDecisionView = decisionView(campaign, state, statsOf(counters), rng)
  const pBest = view.status === 'exploring' ? view.probabilityBest : undefined
  const variants = campaign.variants.map((v) =>
    metricsView(counters[v.id] ?? emptyCounters(), v, pBest?.[v.id]),
  )
  const { status, ...rest } = view
  const ab = {
    mode: modeOf(campaign),
    goal: goalOf(campaign),
    status,
    ...('handled' in rest ? { handled: rest.handled } : {}),
    ...('testSliceSize' in rest && Number.isFinite(rest.testSliceSize)
      ? { testSliceSize: rest.testSliceSize }
      : {}),
    ...('decideAt' in rest ? { decideAt: rest.decideAt } : {}),
    ...('leader' in rest ? { leader: rest.leader } : {}),
  }
  const winner = campaign.ab?.winnerVariantId
  return {
    campaignId: campaign.id,
    status: campaign.status,
    totals: metricsView(sumCounters(campaign.variants.map((v) => counters[v.id] ?? emptyCounters()))),
    variants,
    ab,
    ...(winner
      ? {
          decision: {
            variantId: winner,
            method:
              campaign.ab?.mode === 'bandit'
                ? 'bandit'
                : campaign.ab?.mode === 'test-then-winner'
                  ? 'test-then-winner'
                  : 'manual',
            goal: goalOf(campaign),
            decidedAt: state.decidedAt ?? new Date(0).toISOString(),
            ...(state.reason ? { reason: state.reason } : {}),
          },
        }
      : {}),
    attributionWindowDays: DEFAULT_ATTRIBUTION_WINDOW_DAYS,
  }
}
