/**
 * Analytics insights over HTTP, version 1: the forecast of a KPI and a contact's customer scores
 * (RFM, churn risk, suggestions). The events that announce changes of the scores are in
 * `analytics-events.ts`.
 */
import * as z from 'zod/mini'
import { CHURN_REASONS, RFM_SEGMENTS, RfmScores, Suggestion } from './analytics-events.js'
import { Id, Timestamp } from './common.js'

/** What can be forecast: flows of the KPIs (a sum or count per period), never a ratio. */
export const FORECAST_METRICS = [
  'revenue',
  'deals-won',
  'new-contacts',
  'new-leads',
  'tickets-opened',
] as const
export type ForecastMetric = (typeof FORECAST_METRICS)[number]

/** GET /analytics/forecast query. */
export const ForecastQuery = z.strictObject({
  metric: z.enum(FORECAST_METRICS),
  /** Periods ahead, 1..24 (default 6). */
  horizon: z.optional(z.string().check(z.regex(/^(?:[1-9]|1\d|2[0-4])$/, 'A whole number from 1 to 24'))),
  interval: z.optional(z.enum(['week', 'month'])),
})
export type ForecastQuery = z.infer<typeof ForecastQuery>

const Interval = z.object({ lower: z.number(), upper: z.number() })

export const ForecastResponse = z.object({
  metric: z.enum(FORECAST_METRICS),
  interval: z.enum(['week', 'month']),
  unit: z.enum(['count', 'money']),
  /** Money: the base currency (amounts in its minor units). */
  currency: z.optional(z.string()),
  method: z.enum(['holt-winters-additive', 'holt-linear', 'mean']),
  seasonLength: z.number(),
  params: z.object({ alpha: z.number(), beta: z.number(), gamma: z.number() }),
  /** The complete periods the forecast learnt from, oldest first. */
  history: z.array(z.object({ period: z.string(), value: z.number() })),
  /** Periods of the history whose value was an outlier, and what replaced it in the fit. */
  outliers: z.array(z.object({ period: z.string(), value: z.number(), replacedBy: z.number() })),
  points: z.array(
    z.object({
      period: z.string(),
      value: z.number(),
      statistical: z.number(),
      pipeline: z.optional(z.number()),
      p80: Interval,
      p95: Interval,
    }),
  ),
  /** Mean absolute percentage error of the same method refitted without the last periods. */
  backtest: z.object({ periods: z.number(), mape: z.nullable(z.number()) }),
  /** Weighted open pipeline (base currency) spread over the periods its deals are expected to close in. */
  weightedPipeline: z.optional(z.number()),
  generatedAt: Timestamp,
})
export type ForecastResponse = z.infer<typeof ForecastResponse>

export const CustomerParams = z.strictObject({ contactId: Id })

/** GET /analytics/customers/{contactId}: the contact's scores as of the last scoring run. */
export const CustomerScores = z.object({
  contactId: z.string(),
  rfm: z.nullable(RfmScores),
  segment: z.nullable(z.enum(RFM_SEGMENTS)),
  purchases: z.number(),
  /** Base currency, minor units. */
  totalSpentMinor: z.number(),
  currency: z.string(),
  lastPurchaseAt: z.nullable(Timestamp),
  churnRisk: z.object({
    atRisk: z.boolean(),
    reasons: z.array(z.enum(CHURN_REASONS)),
    engagementBefore: z.number(),
    engagementRecent: z.number(),
  }),
  suggestions: z.array(Suggestion),
  scoredAt: Timestamp,
})
export type CustomerScores = z.infer<typeof CustomerScores>
