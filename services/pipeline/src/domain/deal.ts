/**
 * Deal rules, pure: building a deal from input and the product catalogue, merge-patches, stage
 * moves with their history, and the field diff that `Deal.Updated` carries.
 */
import type {
  CreateDeal,
  Deal,
  LineItem,
  LineItemInput,
  Pipeline,
  Product,
  UpdateDeal,
} from '@relay/contracts/pipeline'
import { DEAL_EVENT, PIPELINE_LIMITS } from '@relay/contracts/pipeline'
import type { EventSpec } from './events.js'
import { lineTotalMinor, sumMinor } from './money.js'
import { firstOpenStage, type Problem, stageOf } from './pipeline.js'

type Priced = { lineItems: LineItem[]; amount?: { amountMinor: number; currency: string } }

/**
 * Line items priced from the catalogue: each product must exist and be active, all in one currency;
 * the deal's amount is their total. `field` prefixes problem paths (`lineItems`).
 */
export function priceLineItems(
  inputs: readonly LineItemInput[],
  products: ReadonlyMap<string, Product>,
): { ok: Priced } | { problems: Problem[] } {
  const problems: Problem[] = []
  const items: LineItem[] = []
  inputs.forEach((input, i) => {
    const product = products.get(input.productId)
    if (!product?.active) {
      problems.push({
        field: `lineItems.${i}.productId`,
        code: 'unknown_product',
        message: 'No active product with this id',
      })
      return
    }
    const unitPriceMinor = input.unitPriceMinor ?? product.unitPrice.amountMinor
    const discountPercent = input.discountPercent ?? 0
    let totalMinor: number
    try {
      totalMinor = lineTotalMinor(input.quantity, unitPriceMinor, discountPercent)
    } catch {
      problems.push({
        field: `lineItems.${i}.quantity`,
        code: 'too_large',
        message: 'The line total is too large',
      })
      return
    }
    items.push({
      productId: product.id,
      name: product.name,
      sku: product.sku,
      quantity: input.quantity,
      unitPriceMinor,
      discountPercent,
      totalMinor,
      currency: product.unitPrice.currency,
    })
  })
  if (problems.length) return { problems }
  const currencies = new Set(items.map((i) => i.currency))
  if (currencies.size > 1)
    return {
      problems: [
        {
          field: 'lineItems',
          code: 'mixed_currencies',
          message: 'All line items of a deal share one currency',
        },
      ],
    }
  const [currency] = currencies
  if (!currency) return { ok: { lineItems: [] } }
  try {
    return {
      ok: { lineItems: items, amount: { amountMinor: sumMinor(items.map((i) => i.totalMinor)), currency } },
    }
  } catch {
    return { problems: [{ field: 'lineItems', code: 'too_large', message: 'The deal total is too large' }] }
  }
}

/** A new deal (version 1) in the given pipeline, in `stageId` or the first open stage. */
export function buildDeal(
  input: CreateDeal,
  ctx: {
    id: string
    pipeline: Pipeline
    products: ReadonlyMap<string, Product>
    userId: string
    now: string
    leadId?: string
  },
): { deal: Deal } | { problems: Problem[] } {
  const stage = input.stageId ? stageOf(ctx.pipeline, input.stageId) : firstOpenStage(ctx.pipeline)
  if (!stage)
    return {
      problems: [{ field: 'stageId', code: 'unknown_stage', message: 'No such stage in the pipeline' }],
    }
  if (stage.outcome)
    return {
      problems: [{ field: 'stageId', code: 'closed_stage', message: 'A new deal starts in an open stage' }],
    }
  let priced: Priced = { lineItems: [], ...(input.amount ? { amount: input.amount } : {}) }
  if (input.lineItems?.length) {
    const result = priceLineItems(input.lineItems, ctx.products)
    if ('problems' in result) return result
    priced = result.ok
  }
  return {
    deal: {
      id: ctx.id,
      name: input.name,
      pipelineId: ctx.pipeline.id,
      stageId: stage.id,
      status: 'open',
      ...(priced.amount ? { amount: priced.amount } : {}),
      lineItems: priced.lineItems,
      ...(input.contactId ? { contactId: input.contactId } : {}),
      ...(input.companyId ? { companyId: input.companyId } : {}),
      ownerId: input.ownerId || ctx.userId,
      ...(input.closeDate ? { closeDate: input.closeDate } : {}),
      stageHistory: [{ stageId: stage.id, enteredAt: ctx.now, enteredBy: ctx.userId }],
      ...(ctx.leadId ? { leadId: ctx.leadId } : {}),
      version: 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    },
  }
}

/** Merge-patch of a deal (null clears; line items replace and reprice; amount and line items exclude each other). */
export function applyDealPatch(
  current: Deal,
  patch: UpdateDeal,
  ctx: { products: ReadonlyMap<string, Product>; now: string },
): { deal: Deal } | { problems: Problem[] } {
  let priced: Priced = { lineItems: current.lineItems, ...(current.amount ? { amount: current.amount } : {}) }
  if (patch.lineItems !== undefined) {
    const result = priceLineItems(patch.lineItems, ctx.products)
    if ('problems' in result) return result
    priced = result.ok
  } else if (patch.amount !== undefined) {
    priced = { lineItems: [], ...(patch.amount ? { amount: patch.amount } : {}) }
  }
  const pick = <K extends 'contactId' | 'companyId' | 'closeDate'>(key: K) =>
    patch[key] === undefined ? current[key] : (patch[key] ?? undefined)
  const contactId = pick('contactId')
  const companyId = pick('companyId')
  const closeDate = pick('closeDate')
  const { amount: _a, contactId: _c, companyId: _co, closeDate: _cd, ...rest } = current
  return {
    deal: {
      ...rest,
      name: patch.name ?? current.name,
      ...(priced.amount ? { amount: priced.amount } : {}),
      lineItems: priced.lineItems,
      ...(contactId ? { contactId } : {}),
      ...(companyId ? { companyId } : {}),
      ownerId: patch.ownerId || current.ownerId,
      ...(closeDate ? { closeDate } : {}),
      version: current.version + 1,
      updatedAt: ctx.now,
    },
  }
}

/** What a stage move did (for the events). */
export interface StageMove {
  deal: Deal
  fromStageId: string
  toStageId: string
  msInPreviousStage: number
  outcome?: 'won' | 'lost'
}

/**
 * Moves a deal to another stage of its pipeline, recording who and when. Reaching the won or lost
 * stage closes the deal (status, `closedAt`, `closeDate` = the day it closed); the lost stage needs
 * a reason. Moving back to an open stage reopens it. Returns undefined when the stage is the current one.
 */
export function moveDealStage(
  current: Deal,
  pipeline: Pipeline,
  move: { stageId: string; reason?: string | undefined },
  ctx: { userId: string; now: string },
): StageMove | { problems: Problem[] } | undefined {
  const stage = stageOf(pipeline, move.stageId)
  if (!stage)
    return {
      problems: [{ field: 'stageId', code: 'unknown_stage', message: 'No such stage in the pipeline' }],
    }
  if (stage.id === current.stageId) return undefined
  if (stage.outcome === 'lost' && !move.reason)
    return { problems: [{ field: 'reason', code: 'reason_required', message: 'Say why the deal was lost' }] }
  const last = current.stageHistory.at(-1)
  const history = [
    ...current.stageHistory.slice(0, -1),
    ...(last ? [{ ...last, leftAt: ctx.now }] : []),
    { stageId: stage.id, enteredAt: ctx.now, enteredBy: ctx.userId },
  ].slice(-PIPELINE_LIMITS.stageHistory)
  const { closedAt: _ca, closedReason: _cr, ...rest } = current
  const closed = stage.outcome !== undefined
  const deal: Deal = {
    ...rest,
    stageId: stage.id,
    status: stage.outcome ?? 'open',
    stageHistory: history,
    ...(closed ? { closedAt: ctx.now, closeDate: ctx.now.slice(0, 10) } : {}),
    ...(closed && move.reason ? { closedReason: move.reason } : {}),
    version: current.version + 1,
    updatedAt: ctx.now,
  }
  return {
    deal,
    fromStageId: current.stageId,
    toStageId: stage.id,
    msInPreviousStage: last ? Math.max(0, Date.parse(ctx.now) - Date.parse(last.enteredAt)) : 0,
    ...(stage.outcome ? { outcome: stage.outcome } : {}),
  }
}

/** Total time (ms) spent in each stage, the current one counted up to `now`. */
export function timeInStages(history: Deal['stageHistory'], now: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const visit of history) {
    const end = Date.parse(visit.leftAt ?? now)
    out[visit.stageId] = (out[visit.stageId] ?? 0) + Math.max(0, end - Date.parse(visit.enteredAt))
  }
  return out
}

const DEAL_FIELDS = ['name', 'amount', 'lineItems', 'contactId', 'companyId', 'ownerId', 'closeDate'] as const
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/** Field changes between two versions of a deal (client-changeable fields only). */
export function diffDeals(before: Deal, after: Deal): Record<string, { before?: unknown; after?: unknown }> {
  const changes: Record<string, { before?: unknown; after?: unknown }> = {}
  for (const f of DEAL_FIELDS) {
    if (same(before[f], after[f])) continue
    changes[f] = {
      ...(before[f] !== undefined ? { before: before[f] } : {}),
      ...(after[f] !== undefined ? { after: after[f] } : {}),
    }
  }
  return changes
}

/** `Deal.Created`: the deal. */
export const dealCreated = (deal: Deal): EventSpec => ({ detailType: DEAL_EVENT.created, data: deal })

/** `Deal.Updated`: the fields that changed (see {@link diffDeals}). */
export const dealUpdated = (deal: Deal, changes: ReturnType<typeof diffDeals>): EventSpec => ({
  detailType: DEAL_EVENT.updated,
  data: { id: deal.id, version: deal.version, changes },
})

/** `Deal.Deleted`: the id and the version deleted. */
export const dealDeleted = (deal: Deal): EventSpec => ({
  detailType: DEAL_EVENT.deleted,
  data: { id: deal.id, version: deal.version },
})

/** `Deal.StageChanged`, plus `Deal.Won` / `Deal.Lost` on reaching a closing stage. */
export function stageMoveEvents(
  move: StageMove,
  ctx: { userId: string; reason?: string | undefined },
): EventSpec[] {
  const { deal } = move
  const events: EventSpec[] = [
    {
      detailType: DEAL_EVENT.stageChanged,
      data: {
        id: deal.id,
        version: deal.version,
        pipelineId: deal.pipelineId,
        fromStageId: move.fromStageId,
        toStageId: move.toStageId,
        changedBy: ctx.userId,
        msInPreviousStage: move.msInPreviousStage,
      },
    },
  ]
  if (move.outcome)
    events.push({
      detailType: move.outcome === 'won' ? DEAL_EVENT.won : DEAL_EVENT.lost,
      data: { deal, ...(ctx.reason ? { reason: ctx.reason } : {}) },
    })
  return events
}
