/**
 * Conversion attribution: which campaign email (and variant) a conversion is credited to.
 *
 * | rule             | choice                                                                    |
 * | ---------------- | ------------------------------------------------------------------------- |
 * | touch            | a click (an open alone credits nothing: image proxies open every email)   |
 * | model            | last click: the most recent click before the conversion wins it all        |
 * | window           | the click's campaign window (default 7 days, 1 to 90); clicks older than   |
 * |                  | that, or after the conversion, do not count                               |
 * | conversions      | a won deal (`Deal.Won`, at `closedAt`) or a logged purchase interaction    |
 * |                  | (`Interaction.Logged` type `purchase`, at `occurredAt`) of the contact     |
 * | counted          | once per conversion event (the subscriber dedupes its id); the campaign's  |
 * |                  | `conversions` counter counts converted recipients once (a marker), its     |
 * |                  | revenue adds every attributed conversion's amount                         |
 *
 * Last click rather than first or linear because it is what Mailchimp, HubSpot and GA report by
 * default and because a marketer comparing variants wants the email that closed the loop.
 * Pure: the times come in, nothing reads a clock.
 */

export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7
export const MAX_ATTRIBUTION_WINDOW_DAYS = 90
const DAY_MS = 86_400_000

/** A click on a campaign email by a contact, as the store keeps it. */
export interface ClickTouch {
  campaignId: string
  variantId: string
  clickedAt: string
  /** The campaign's attribution window when the click was recorded. */
  windowDays: number
}

export interface Conversion {
  /** The event id: attribution is counted once per conversion. */
  id: string
  contactId: string
  at: string
  kind: 'deal-won' | 'purchase'
  amount?: { amountMinor: number; currency: string } | undefined
}

/** The end of a click's window: conversions at or after this are not credited to it. */
export function windowEndsAt(click: Pick<ClickTouch, 'clickedAt' | 'windowDays'>): string {
  return new Date(Date.parse(click.clickedAt) + clampWindow(click.windowDays) * DAY_MS).toISOString()
}

/** A window in whole days within 1 to 90 (a campaign without one has the default). */
export function clampWindow(days: number | undefined): number {
  if (days === undefined || !Number.isFinite(days)) return DEFAULT_ATTRIBUTION_WINDOW_DAYS
  return Math.min(MAX_ATTRIBUTION_WINDOW_DAYS, Math.max(1, Math.floor(days)))
}

/** How far back a conversion must look for clicks: the longest window any click can have. */
export function lookbackStart(conversionAt: string): string {
  return new Date(Date.parse(conversionAt) - MAX_ATTRIBUTION_WINDOW_DAYS * DAY_MS).toISOString()
}

/**
 * The click a conversion is credited to: the latest click at or before the conversion whose window
 * is still open at it. Undefined: the conversion is not attributed to any campaign.
 *
 * @example
 * attributeConversion({ id, contactId, at: '2026-03-10T12:00:00Z', kind: 'purchase' }, clicks)
 */
export function attributeConversion(
  conversion: Conversion,
  clicks: readonly ClickTouch[],
): ClickTouch | undefined {
  const at = Date.parse(conversion.at)
  if (Number.isNaN(at)) return undefined
  let best: ClickTouch | undefined
  let bestAt = Number.NEGATIVE_INFINITY
  for (const click of clicks) {
    const clickedAt = Date.parse(click.clickedAt)
    if (Number.isNaN(clickedAt) || clickedAt > at) continue
    if (at >= clickedAt + clampWindow(click.windowDays) * DAY_MS) continue
    // Ties (same instant) go to the campaign id sorting last: deterministic whatever the input order.
    if (clickedAt > bestAt || (clickedAt === bestAt && best && click.campaignId > best.campaignId)) {
      best = click
      bestAt = clickedAt
    }
  }
  return best
}

/** A won deal as a conversion (only one with a contact can be attributed). */
export function dealWonConversion(
  eventId: string,
  occurredAt: string,
  deal: { contactId?: string | undefined; closedAt?: string | undefined; amount?: Conversion['amount'] },
): Conversion | undefined {
  if (!deal.contactId) return undefined
  return {
    id: eventId,
    contactId: deal.contactId,
    at: deal.closedAt ?? occurredAt,
    kind: 'deal-won',
    amount: deal.amount,
  }
}

/** A logged interaction as a conversion: purchases only. */
export function purchaseConversion(
  eventId: string,
  interaction: { type: string; contactId: string; occurredAt: string; amount?: Conversion['amount'] },
): Conversion | undefined {
  if (interaction.type !== 'purchase') return undefined
  return {
    id: eventId,
    contactId: interaction.contactId,
    at: interaction.occurredAt,
    kind: 'purchase',
    amount: interaction.amount,
  }
}
