/**
 * A campaign's numbers per variant: the counters its events move and the rates the report shows.
 *
 * | counter        | moved by                                  | counted                         |
 * | -------------- | ----------------------------------------- | ------------------------------- |
 * | sent           | Email.Sent                                | every event                     |
 * | delivered      | Email.Delivered                           | every event                     |
 * | uniqueOpens    | Email.Opened, and Email.Clicked           | once per recipient (a marker)   |
 * | uniqueClicks   | Email.Clicked                             | once per recipient (a marker)   |
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

export const COUNTERS = [
  'sent',
  'delivered',
  'uniqueOpens',
  'uniqueClicks',
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
