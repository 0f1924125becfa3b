/**
 * Pipeline API (pipelines and stages, products, deals, currency settings, quotas, forecast),
 * version 1. Additive changes only within a version.
 */
import * as z from 'zod/mini'
import { Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import { CurrencyCode, MinorAmount, Money } from './money.js'

/** EventBridge source of every pipeline event. */
export const PIPELINE_SOURCE = 'crm.pipeline'

/** `detail-type`s of deal events. */
export const DEAL_EVENT = {
  created: 'Deal.Created',
  updated: 'Deal.Updated',
  stageChanged: 'Deal.StageChanged',
  won: 'Deal.Won',
  lost: 'Deal.Lost',
  deleted: 'Deal.Deleted',
} as const

/** Limits written down once for schemas, docs and tests. */
export const PIPELINE_LIMITS = {
  stages: 30,
  lineItems: 50,
  quantity: 1_000_000,
  reason: 500,
  ownerId: 128,
  stageHistory: 200,
  quotas: 500,
  rates: 200,
} as const

/** Forecast categories, the usual CRM buckets. */
export const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number]

/** A stage id: a short slug chosen by the tenant, unique within its pipeline (`proposal`). */
export const StageId = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'Must be a slug such as "proposal" (a-z, 0-9, _ and -)'))

/** `YYYY-MM-DD`. */
export const IsoDate = z.iso.date()

export const OwnerId = z.string().check(z.trim(), z.minLength(1), z.maxLength(PIPELINE_LIMITS.ownerId))

// ---------------------------------------------------------------------------------------------
// Pipelines

/** One stage: open stages first, then exactly one won and one lost stage. */
export const Stage = z.strictObject({
  id: StageId,
  name: nameText(80),
  /** Chance (percent, 0..100) a deal in this stage is won; weighs the pipeline forecast. */
  probability: z.int().check(z.minimum(0), z.maximum(100)),
  forecastCategory: z.enum(FORECAST_CATEGORIES),
  /** Marks the closing stages. */
  outcome: z.optional(z.enum(['won', 'lost'])),
})
export type Stage = z.infer<typeof Stage>

/** POST /pipelines and PUT /pipelines/{id} body. Rules across stages are checked by the service. */
export const PipelineInput = z.strictObject({
  name: nameText(100),
  stages: z.array(Stage).check(z.minLength(3), z.maxLength(PIPELINE_LIMITS.stages)),
})
export type PipelineInput = z.infer<typeof PipelineInput>

export const Pipeline = z.object({
  id: z.string(),
  name: z.string(),
  stages: z.array(Stage),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Pipeline = z.infer<typeof Pipeline>
export const PipelinePage = page(Pipeline)

/** Path parameters of every `/{collection}/{id}` route. */
export const IdParams = z.strictObject({ id: Id })

// ---------------------------------------------------------------------------------------------
// Products

export const CreateProduct = z.strictObject({
  name: nameText(200),
  sku: z
    .string()
    .check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'Must be a SKU such as "PRO-1Y"')),
  unitPrice: Money,
  active: z.optional(z.boolean()),
})
export type CreateProduct = z.infer<typeof CreateProduct>

export const UpdateProduct = z
  .strictObject({
    name: z.optional(nameText(200)),
    unitPrice: z.optional(Money),
    active: z.optional(z.boolean()),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateProduct = z.infer<typeof UpdateProduct>

export const Product = z.object({
  id: z.string(),
  name: z.string(),
  sku: z.string(),
  unitPrice: z.object({ amountMinor: z.number(), currency: z.string() }),
  active: z.boolean(),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Product = z.infer<typeof Product>
export const ProductPage = page(Product)

// ---------------------------------------------------------------------------------------------
// Deals

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const
export type DealStatus = (typeof DEAL_STATUSES)[number]

export const LineItemInput = z.strictObject({
  productId: Id,
  quantity: z.int().check(z.minimum(1), z.maximum(PIPELINE_LIMITS.quantity)),
  /** Overrides the product's price (same currency), e.g. a negotiated price. */
  unitPriceMinor: z.optional(MinorAmount),
  discountPercent: z.optional(z.int().check(z.minimum(0), z.maximum(100))),
})
export type LineItemInput = z.infer<typeof LineItemInput>

const LineItems = z.array(LineItemInput).check(z.maxLength(PIPELINE_LIMITS.lineItems))

const notBoth = (v: { amount?: unknown; lineItems?: unknown[] | undefined }) =>
  !(v?.amount && Array.isArray(v.lineItems) && v.lineItems.length > 0)

/** POST /deals. Without `pipelineId` the default pipeline; without `stageId` its first stage. */
export const CreateDeal = z
  .strictObject({
    name: nameText(200),
    pipelineId: z.optional(Id),
    stageId: z.optional(StageId),
    /** Set either the amount or line items (the amount is then their total). */
    amount: z.optional(Money),
    lineItems: z.optional(LineItems),
    contactId: z.optional(Id),
    companyId: z.optional(Id),
    ownerId: z.optional(OwnerId),
    closeDate: z.optional(IsoDate),
  })
  .check(z.refine(notBoth, { message: 'Give either amount or lineItems, not both', path: ['amount'] }))
export type CreateDeal = z.infer<typeof CreateDeal>

/** PATCH /deals/{id} (merge-patch; null clears). Stage changes go through POST /deals/{id}/stage. */
export const UpdateDeal = z
  .strictObject({
    name: z.optional(nameText(200)),
    amount: z.optional(z.nullable(Money)),
    lineItems: z.optional(LineItems),
    contactId: z.optional(z.nullable(Id)),
    companyId: z.optional(z.nullable(Id)),
    ownerId: z.optional(OwnerId),
    closeDate: z.optional(z.nullable(IsoDate)),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
    z.refine(notBoth, { message: 'Give either amount or lineItems, not both', path: ['amount'] }),
  )
export type UpdateDeal = z.infer<typeof UpdateDeal>

/** POST /deals/{id}/stage. A reason is required when the stage is the lost stage. */
export const MoveDealStage = z.strictObject({
  stageId: StageId,
  reason: z.optional(nameText(PIPELINE_LIMITS.reason)),
})
export type MoveDealStage = z.infer<typeof MoveDealStage>

export const LineItem = z.object({
  productId: z.string(),
  name: z.string(),
  sku: z.string(),
  quantity: z.number(),
  unitPriceMinor: z.number(),
  discountPercent: z.number(),
  totalMinor: z.number(),
  currency: z.string(),
})
export type LineItem = z.infer<typeof LineItem>

export const StageVisit = z.object({
  stageId: z.string(),
  enteredAt: Timestamp,
  enteredBy: z.string(),
  leftAt: z.optional(Timestamp),
})
export type StageVisit = z.infer<typeof StageVisit>

export const Deal = z.object({
  id: z.string(),
  name: z.string(),
  pipelineId: z.string(),
  stageId: z.string(),
  status: z.enum(DEAL_STATUSES),
  amount: z.optional(z.object({ amountMinor: z.number(), currency: z.string() })),
  lineItems: z.array(LineItem),
  contactId: z.optional(z.string()),
  companyId: z.optional(z.string()),
  ownerId: z.string(),
  closeDate: z.optional(z.string()),
  /** Every stage the deal was in, oldest first (the last one is the current stage). */
  stageHistory: z.array(StageVisit),
  closedAt: z.optional(Timestamp),
  closedReason: z.optional(z.string()),
  /** Set when the deal came from a lead conversion. */
  leadId: z.optional(z.string()),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Deal = z.infer<typeof Deal>
export const DealPage = page(Deal)

/** GET /deals filters. `stage` needs `pipelineId` (stage ids are per pipeline). */
export const ListDealsQuery = z.extend(PaginationQuery, {
  pipelineId: z.optional(Id),
  stage: z.optional(StageId),
  owner: z.optional(OwnerId),
  status: z.optional(z.enum(DEAL_STATUSES)),
  closeFrom: z.optional(IsoDate),
  closeTo: z.optional(IsoDate),
})
export type ListDealsQuery = z.infer<typeof ListDealsQuery>

// ---------------------------------------------------------------------------------------------
// Settings, quotas, forecast

/** An exchange rate as an exact decimal: `1 <currency> = <rate> <base currency>` (no float money). */
export const DecimalRate = z.string().check(
  z.regex(/^(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,12})?$/, 'Must be a decimal such as "0.9215"'),
  z.refine((s) => /[1-9]/.test(s), 'Must be greater than zero'),
)

/** PUT /settings/currencies. */
export const CurrencySettingsInput = z.strictObject({
  baseCurrency: CurrencyCode,
  rates: z
    .array(z.strictObject({ currency: CurrencyCode, rate: DecimalRate }))
    .check(z.maxLength(PIPELINE_LIMITS.rates)),
})
export type CurrencySettingsInput = z.infer<typeof CurrencySettingsInput>

export const CurrencySettings = z.object({
  baseCurrency: z.string(),
  rates: z.array(z.object({ currency: z.string(), rate: z.string() })),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type CurrencySettings = z.infer<typeof CurrencySettings>

/** `2026-Q4`, `2026-11` or `2026`. */
export const Period = z
  .string()
  .check(
    z.regex(/^[0-9]{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/, 'Must be a period such as 2026-Q4, 2026-11 or 2026'),
  )

/** PUT /quotas: the quotas of one period, one per owner. */
export const QuotasInput = z.strictObject({
  period: Period,
  quotas: z
    .array(z.strictObject({ ownerId: OwnerId, amount: Money }))
    .check(z.maxLength(PIPELINE_LIMITS.quotas)),
})
export type QuotasInput = z.infer<typeof QuotasInput>

export const Quotas = z.object({
  period: z.string(),
  quotas: z.array(
    z.object({ ownerId: z.string(), amount: z.object({ amountMinor: z.number(), currency: z.string() }) }),
  ),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type Quotas = z.infer<typeof Quotas>

export const QuotasQuery = z.strictObject({ period: Period })

export const ForecastQuery = z.strictObject({
  period: Period,
  pipelineId: z.optional(Id),
  owner: z.optional(OwnerId),
})
export type ForecastQuery = z.infer<typeof ForecastQuery>

const Figures = z.object({
  closedWon: z.number(),
  commit: z.number(),
  bestCase: z.number(),
  pipeline: z.number(),
  weighted: z.number(),
  quota: z.optional(z.number()),
  deals: z.number(),
})

/** GET /forecast: amounts in minor units of `currency` (the tenant's base currency). */
export const Forecast = z.object({
  period: z.string(),
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  owners: z.array(z.extend(Figures, { ownerId: z.string() })),
  total: Figures,
  /** Currencies of deals left out because no rate to the base currency is set. */
  missingRates: z.array(z.string()),
  /** True when the period held more deals than one forecast reads (see the service README). */
  truncated: z.optional(z.boolean()),
})
export type Forecast = z.infer<typeof Forecast>

// ---------------------------------------------------------------------------------------------
// Win-probability insight

export const INSIGHT_FEATURES = [
  'stageOrder',
  'daysInStage',
  'activityCount',
  'daysSinceLastActivity',
  'emailCount',
  'meetingCount',
  'logAmount',
] as const

export const InsightFactor = z.object({
  feature: z.enum(INSIGHT_FEATURES),
  /** The deal's raw value of the feature. */
  value: z.number(),
  /** weight × standardised value: log-odds this feature adds (positive raises the probability). */
  contribution: z.number(),
})

export const DealInsights = z.object({
  dealId: z.string(),
  /** Probability (0..1) that the deal is won. */
  probability: z.number(),
  /** `logistic-regression` when learned from the tenant's closed deals, else the stage's probability. */
  method: z.enum(['logistic-regression', 'stage-probability']),
  /** Closed (won + lost) deals of the pipeline the model learned from. */
  trainedOn: z.number(),
  /** Why the fallback was used, when it was. */
  reason: z.optional(z.string()),
  /** Largest contributions first (empty for the fallback). */
  topFactors: z.array(InsightFactor),
})
export type DealInsights = z.infer<typeof DealInsights>
