/**
 * Customer analytics as a whole, pure: what an event adds to a contact's record, and a tenant's
 * scoring run (RFM + churn + suggestions) with the events it publishes.
 *
 * | event                 | purchase                                  | engagement |
 * | --------------------- | ----------------------------------------- | ---------- |
 * | Interaction.Logged    | type `purchase` (its amount, no products)  | every type |
 * | Deal.Won with contact | the deal's amount and line items          | yes        |
 * | Email.Opened/Clicked  | no                                        | the first open / click of a send (`unique`), or any when campaigns does not say |
 *
 * Events published by a run: `Customer.SegmentChanged` when the segment differs from the last
 * run's (or on the first), `Customer.ChurnRiskFlagged` / `Cleared` when the flag flips,
 * `Customer.SuggestionsUpdated` when the suggested products (ids, in order) differ. A rescoring that
 * changes nothing a subscriber acts on publishes nothing.
 */
import {
  CUSTOMER_EVENT,
  type CustomerChurnRiskClearedV1,
  type CustomerChurnRiskFlaggedV1,
  type CustomerSegmentChangedV1,
  type CustomerSuggestionsUpdatedV1,
} from '@relay/contracts/analytics-events'
import type { CustomerScores } from '@relay/contracts/analytics-insights'
import { assessChurn } from './churn.js'
import { type BoughtItem, suggestFor } from './cross-sell.js'
import { scoreCustomers } from './rfm.js'

export interface Activity {
  contactId: string
  purchase?: { at: string; eventId: string; amountMinor: number; currency: string; items: BoughtItem[] }
  engagedAt?: string
}

interface LineItemLike {
  productId: string
  name: string
  unitPriceMinor: number
}
interface IncomingLike {
  detailType: string
  detail: { id: string; occurredAt: string; data: unknown }
}

/** What one event adds to a contact's record; undefined when it names no contact or counts for nothing. */
export function activityOf(event: IncomingLike): Activity | undefined {
  const { id, occurredAt } = event.detail
  const d = event.detail.data as Record<string, unknown>
  switch (event.detailType) {
    case 'Interaction.Logged': {
      const contactId = d.contactId as string
      const at = (d.occurredAt as string) ?? occurredAt
      const amount = d.amount as { amountMinor: number; currency: string } | undefined
      return {
        contactId,
        engagedAt: at,
        ...(d.type === 'purchase'
          ? {
              purchase: {
                at,
                eventId: id,
                amountMinor: amount?.amountMinor ?? 0,
                currency: amount?.currency ?? '',
                items: [],
              },
            }
          : {}),
      }
    }
    case 'Deal.Won': {
      const deal = d.deal as {
        contactId?: string
        closedAt?: string
        amount?: { amountMinor: number; currency: string }
        lineItems: LineItemLike[]
      }
      if (!deal.contactId) return undefined
      const at = deal.closedAt ?? occurredAt
      return {
        contactId: deal.contactId,
        engagedAt: at,
        purchase: {
          at,
          eventId: id,
          amountMinor: deal.amount?.amountMinor ?? 0,
          currency: deal.amount?.currency ?? '',
          items: deal.lineItems.map((l) => ({
            productId: l.productId,
            name: l.name,
            unitPriceMinor: l.unitPriceMinor,
          })),
        },
      }
    }
    case 'Email.Opened':
    case 'Email.Clicked': {
      if (typeof d.contactId !== 'string' || d.unique === false) return undefined
      return { contactId: d.contactId, engagedAt: (d.occurredAt as string) ?? occurredAt }
    }
    default:
      return undefined
  }
}

export interface CustomerRecord {
  contactId: string
  purchases: readonly { at: string; amountMinor: number; currency: string; items: readonly BoughtItem[] }[]
  monthly: Readonly<Record<string, number>>
  score?: CustomerScores & { version: number }
}

export interface ScoredChange {
  scores: CustomerScores
  expectedVersion: number
  events: { detailType: string; data: unknown }[]
}

/**
 * A tenant's scoring run: every contact's new scores, and only those that changed (with the events
 * the change publishes). `toBase` converts a purchase to the base currency's minor units, or gives
 * undefined for a currency without a rate (left out of monetary, still a purchase).
 */
export function scoreTenant(
  customers: readonly CustomerRecord[],
  now: Date,
  currency: string,
  toBase: (amountMinor: number, currency: string) => number | undefined,
): ScoredChange[] {
  const scoredAt = now.toISOString()
  const rfm = new Map(
    scoreCustomers(
      customers.map((c) => ({
        contactId: c.contactId,
        purchases: c.purchases.map((p) => ({
          at: p.at,
          amountMinor: (p.currency && toBase(p.amountMinor, p.currency)) || 0,
        })),
      })),
      now,
    ).map((r) => [r.contactId, r]),
  )
  const suggestions = suggestFor(
    customers.map((c) => ({ contactId: c.contactId, items: c.purchases.flatMap((p) => p.items) })),
  )
  const out: ScoredChange[] = []
  for (const c of customers) {
    const r = rfm.get(c.contactId)
    const churn = assessChurn(
      c.monthly,
      c.purchases.map((p) => p.at),
      now,
    )
    const scores: CustomerScores = {
      contactId: c.contactId,
      rfm: r ? { recency: r.recency, frequency: r.frequency, monetary: r.monetary } : null,
      segment: r?.segment ?? null,
      purchases: c.purchases.length,
      totalSpentMinor: r?.totalMinor ?? 0,
      currency,
      lastPurchaseAt: r?.lastPurchaseAt ?? null,
      churnRisk: churn,
      suggestions: suggestions.get(c.contactId) ?? [],
      scoredAt,
    }
    const before = c.score
    if (before && sameScores(before, scores)) continue
    out.push({ scores, expectedVersion: before?.version ?? 0, events: eventsOf(before, scores) })
  }
  return out
}

/** JSON with keys sorted: a record read back from DynamoDB need not keep the order it was written in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(value)
}

function sameScores(a: CustomerScores & { version?: number }, b: CustomerScores): boolean {
  const { scoredAt: _a, version: _v, ...x } = a
  const { scoredAt: _b, ...y } = b
  return canonical(x) === canonical(y)
}

const productIds = (s: CustomerScores | undefined) => (s?.suggestions ?? []).map((x) => x.productId).join(',')

/** The events a change of scores publishes (see the table at the top). */
export function eventsOf(
  before: CustomerScores | undefined,
  after: CustomerScores,
): { detailType: string; data: unknown }[] {
  const at = after.scoredAt
  const events: { detailType: string; data: unknown }[] = []
  if (after.segment && after.rfm && after.segment !== before?.segment) {
    const data: CustomerSegmentChangedV1 = {
      contactId: after.contactId,
      segment: after.segment,
      ...(before?.segment ? { previousSegment: before.segment } : {}),
      rfm: after.rfm,
      scoredAt: at,
    }
    events.push({ detailType: CUSTOMER_EVENT.segmentChanged, data })
  }
  const wasAtRisk = before?.churnRisk.atRisk ?? false
  if (after.churnRisk.atRisk && !wasAtRisk) {
    const data: CustomerChurnRiskFlaggedV1 = {
      contactId: after.contactId,
      reasons: after.churnRisk.reasons,
      engagementBefore: after.churnRisk.engagementBefore,
      engagementRecent: after.churnRisk.engagementRecent,
      flaggedAt: at,
    }
    events.push({ detailType: CUSTOMER_EVENT.churnRiskFlagged, data })
  } else if (!after.churnRisk.atRisk && wasAtRisk) {
    const data: CustomerChurnRiskClearedV1 = { contactId: after.contactId, clearedAt: at }
    events.push({ detailType: CUSTOMER_EVENT.churnRiskCleared, data })
  }
  if (productIds(before) !== productIds(after) && (before || after.suggestions.length > 0)) {
    const data: CustomerSuggestionsUpdatedV1 = {
      contactId: after.contactId,
      suggestions: after.suggestions,
      updatedAt: at,
    }
    events.push({ detailType: CUSTOMER_EVENT.suggestionsUpdated, data })
  }
  return events
}
