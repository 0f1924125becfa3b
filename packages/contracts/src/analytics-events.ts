/**
 * Events of the analytics service (source `crm.analytics`), version 1: customer analytics that other
 * services act on (campaigns target segments and churn risks, pipeline offers suggestions) and early
 * warnings. They carry ids and scores, never personal data beyond the contact's id; a contact's
 * scores are dropped on `Contact.Erased`, and no further event names it.
 *
 * Published only when something changed (a new segment, a flag raised or cleared, a new list of
 * suggestions), not at every rescoring: a subscriber reacts to news.
 */
import * as z from 'zod/mini'
import { Timestamp } from './common.js'
import { type EventContract, eventContract } from './event-contract.js'

export const ANALYTICS_SOURCE = 'crm.analytics'

export const CUSTOMER_EVENT = {
  segmentChanged: 'Customer.SegmentChanged',
  churnRiskFlagged: 'Customer.ChurnRiskFlagged',
  churnRiskCleared: 'Customer.ChurnRiskCleared',
  suggestionsUpdated: 'Customer.SuggestionsUpdated',
} as const
export const ALERT_EVENT = { anomalyDetected: 'Alert.AnomalyDetected' } as const

/** RFM segments, from the recency and frequency scores (the grid is in the service's `domain/rfm.ts`). */
export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const
export type RfmSegment = (typeof RFM_SEGMENTS)[number]

const Score = z.int().check(z.minimum(1), z.maximum(5))

/** Recency, frequency and monetary scores, 1 (worst) .. 5 (best), quintiles within the tenant. */
export const RfmScores = z.object({ recency: Score, frequency: Score, monetary: Score })
export type RfmScores = z.infer<typeof RfmScores>

/** `Customer.SegmentChanged` v1 data. */
export const CustomerSegmentChangedV1 = z.object({
  contactId: z.string(),
  segment: z.enum(RFM_SEGMENTS),
  /** Absent the first time the contact is scored. */
  previousSegment: z.optional(z.enum(RFM_SEGMENTS)),
  rfm: RfmScores,
  scoredAt: Timestamp,
})
export type CustomerSegmentChangedV1 = z.infer<typeof CustomerSegmentChangedV1>

export const CHURN_REASONS = ['engagement_declined', 'purchase_overdue'] as const

/** `Customer.ChurnRiskFlagged` v1 data: engagement fell (or a purchase is long overdue). */
export const CustomerChurnRiskFlaggedV1 = z.object({
  contactId: z.string(),
  reasons: z.array(z.enum(CHURN_REASONS)),
  /** Engagements (interactions, email opens and clicks, purchases) per month before and lately. */
  engagementBefore: z.number(),
  engagementRecent: z.number(),
  flaggedAt: Timestamp,
})
export type CustomerChurnRiskFlaggedV1 = z.infer<typeof CustomerChurnRiskFlaggedV1>

/** `Customer.ChurnRiskCleared` v1 data: the contact is engaged again. */
export const CustomerChurnRiskClearedV1 = z.object({ contactId: z.string(), clearedAt: Timestamp })
export type CustomerChurnRiskClearedV1 = z.infer<typeof CustomerChurnRiskClearedV1>

/** One product to offer: `cross_sell` (goes with what they bought) or `up_sell` (a pricier one). */
export const Suggestion = z.object({
  productId: z.string(),
  name: z.string(),
  kind: z.enum(['cross_sell', 'up_sell']),
  /** Cosine similarity to what the contact bought, summed (0..n). */
  score: z.number(),
  /** The contact's products that led to it. */
  because: z.array(z.string()),
})
export type Suggestion = z.infer<typeof Suggestion>

/** `Customer.SuggestionsUpdated` v1 data: the contact's current suggestions, best first (may be empty). */
export const CustomerSuggestionsUpdatedV1 = z.object({
  contactId: z.string(),
  suggestions: z.array(Suggestion),
  updatedAt: Timestamp,
})
export type CustomerSuggestionsUpdatedV1 = z.infer<typeof CustomerSuggestionsUpdatedV1>

export const ANOMALY_METRICS = ['tickets_by_category', 'email_complaint_rate'] as const

/** `Alert.AnomalyDetected` v1 data: a daily figure far above its robust baseline (once per metric, key and day). */
export const AlertAnomalyDetectedV1 = z.object({
  metric: z.enum(ANOMALY_METRICS),
  /** The ticket category, or `all` for a tenant-wide rate. */
  key: z.string(),
  /** The tenant's day (YYYY-MM-DD). */
  day: z.string(),
  value: z.number(),
  baselineMedian: z.number(),
  /** Robust z-score: (value − median) / (1.4826 · MAD) over the previous days. */
  z: z.number(),
  threshold: z.number(),
  detectedAt: Timestamp,
})
export type AlertAnomalyDetectedV1 = z.infer<typeof AlertAnomalyDetectedV1>

const ev = <const D extends z.ZodMiniType>(detailType: string, description: string, data: D) =>
  eventContract({ source: ANALYTICS_SOURCE, detailType, version: 1, description, data })

export const CustomerSegmentChanged = ev(
  CUSTOMER_EVENT.segmentChanged,
  "A contact's RFM segment changed (or it was scored for the first time); campaigns can target segments.",
  CustomerSegmentChangedV1,
)
export const CustomerChurnRiskFlagged = ev(
  CUSTOMER_EVENT.churnRiskFlagged,
  "A contact's engagement declined enough to flag a churn risk.",
  CustomerChurnRiskFlaggedV1,
)
export const CustomerChurnRiskCleared = ev(
  CUSTOMER_EVENT.churnRiskCleared,
  'A contact flagged as a churn risk is engaged again.',
  CustomerChurnRiskClearedV1,
)
export const CustomerSuggestionsUpdated = ev(
  CUSTOMER_EVENT.suggestionsUpdated,
  "A contact's cross-sell / up-sell suggestions changed (from what similar customers bought).",
  CustomerSuggestionsUpdatedV1,
)
export const AlertAnomalyDetected = ev(
  ALERT_EVENT.anomalyDetected,
  'A ticket category or the email complaint rate rose abnormally today (robust z-score of daily figures).',
  AlertAnomalyDetectedV1,
)

/** Every analytics event, in catalogue shape. */
export const ANALYTICS_EVENTS: readonly EventContract[] = [
  CustomerSegmentChanged,
  CustomerChurnRiskFlagged,
  CustomerChurnRiskCleared,
  CustomerSuggestionsUpdated,
  AlertAnomalyDetected,
]
