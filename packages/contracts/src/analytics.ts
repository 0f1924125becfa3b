/**
 * Analytics API, version 1 (additive changes only within a version): the dashboard, the reports
 * and the tenant's reporting settings. Every figure is read from daily aggregates kept from other
 * services' events; none is recomputed from raw events per request.
 */
import * as z from 'zod/mini'
import { Timestamp } from './common.js'
import { CurrencyCode } from './money.js'

/** `YYYY-MM-DD`, a day in the tenant's reporting time zone. */
export const ReportDay = z.iso.date()

/** Longest range a dashboard or a report covers (two years and a leap day). */
export const MAX_RANGE_DAYS = 731

export const COMPARE_MODES = ['previous_period', 'previous_year'] as const
export const INTERVALS = ['day', 'week', 'month'] as const
/** Dimensions a report can be grouped by (each report allows the ones its events carry). */
export const GROUP_BY = [
  'owner',
  'pipeline',
  'stage',
  'source',
  'channel',
  'campaign',
  'queue',
  'priority',
  'category',
] as const

/** GET /analytics/dashboard query. Defaults: the 30 days ending today (tenant time), previous_period. */
export const DashboardQuery = z.strictObject({
  from: z.optional(ReportDay),
  to: z.optional(ReportDay),
  compare: z.optional(z.enum(COMPARE_MODES)),
})
export type DashboardQuery = z.infer<typeof DashboardQuery>

const KpiUnit = z.enum(['count', 'ratio', 'money', 'seconds', 'minutes', 'score'])

/** One KPI: its value, its value over the comparison range, and the relative change (null: nothing to compare). */
export const KpiValue = z.object({
  value: z.nullable(z.number()),
  previous: z.nullable(z.number()),
  change: z.nullable(z.number()),
  /** money: integer minor units of the base currency; ratio: 0..1. */
  unit: KpiUnit,
})

const Breakdown = z.object({
  value: z.string(),
  current: z.number(),
  previous: z.number(),
  change: z.nullable(z.number()),
})

/** GET /analytics/dashboard response. */
export const Dashboard = z.object({
  from: z.string(),
  to: z.string(),
  compare: z.enum(COMPARE_MODES),
  previousFrom: z.string(),
  previousTo: z.string(),
  timeZone: z.string(),
  baseCurrency: z.string(),
  kpis: z.record(z.string(), KpiValue),
  leadsBySource: z.array(Breakdown),
  contactsBySource: z.array(Breakdown),
  /** Currencies with amounts but no rate to the base currency: left out of money KPIs. */
  unconvertedCurrencies: z.array(z.string()),
})
export type Dashboard = z.infer<typeof Dashboard>

/** GET /analytics/reports/{name} path. */
export const ReportParams = z.strictObject({
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Must be a report name such as "win-rate"')),
})

/** GET /analytics/reports/{name} query. Defaults: the 30 days ending today, by day, ungrouped. */
export const ReportQuery = z.strictObject({
  from: z.optional(ReportDay),
  to: z.optional(ReportDay),
  interval: z.optional(z.enum(INTERVALS)),
  groupBy: z.optional(z.enum(GROUP_BY)),
})
export type ReportQuery = z.infer<typeof ReportQuery>

export const Report = z.object({
  name: z.string(),
  title: z.string(),
  unit: KpiUnit,
  from: z.string(),
  to: z.string(),
  interval: z.enum(INTERVALS),
  groupBy: z.nullable(z.string()),
  timeZone: z.string(),
  baseCurrency: z.string(),
  series: z.array(
    z.object({
      key: z.string(),
      points: z.array(z.object({ period: z.string(), value: z.nullable(z.number()) })),
      total: z.nullable(z.number()),
    }),
  ),
  /** Funnels only: each step's count over the range and its rate from the step before. */
  steps: z.optional(
    z.array(z.object({ step: z.string(), count: z.number(), rateFromPrevious: z.nullable(z.number()) })),
  ),
  unconvertedCurrencies: z.array(z.string()),
})
export type Report = z.infer<typeof Report>

/** The report names and the dimensions each may be grouped by. */
export const ReportCatalogue = z.object({
  items: z.array(z.object({ name: z.string(), unit: KpiUnit, groupBy: z.array(z.string()) })),
})

const DecimalRate = z.string().check(
  z.regex(/^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,12})?$/, 'Must be a decimal such as "0.9215"'),
  z.refine((s) => /[1-9]/.test(s), 'Must be greater than zero'),
)

/** PUT /analytics/settings: the reporting time zone, the base currency and rates to it. */
export const AnalyticsSettingsInput = z.strictObject({
  /** IANA zone (`Asia/Bangkok`); the day an event counts on. Applies to events ingested from then on. */
  timeZone: z.string().check(z.minLength(1), z.maxLength(64)),
  baseCurrency: CurrencyCode,
  /** 1 unit of `currency` = `rate` units of the base currency. */
  rates: z.array(z.strictObject({ currency: CurrencyCode, rate: DecimalRate })).check(z.maxLength(200)),
})
export type AnalyticsSettingsInput = z.infer<typeof AnalyticsSettingsInput>

export const AnalyticsSettings = z.object({
  timeZone: z.string(),
  baseCurrency: z.string(),
  rates: z.array(z.object({ currency: z.string(), rate: z.string() })),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type AnalyticsSettings = z.infer<typeof AnalyticsSettings>
