/**
 * Every KPI, pure: a formula over summed cells. `flow` is the sum of a range of days (what
 * happened in the period); `stock` is a running total as it stood at the period's last day.
 *
 * | KPI                      | formula                                             | unit    |
 * | ------------------------ | --------------------------------------------------- | ------- |
 * | newContacts / newLeads   | contactsCreated / leadsCreated                      | count   |
 * | contactsTotal            | stock contactsNet (created − deleted, ever)         | count   |
 * | leadConversionRate       | leadsConverted ÷ leadsCreated                       | ratio   |
 * | leadToCustomerRate       | deals won that came from a lead ÷ leadsCreated      | ratio   |
 * | visitToPurchaseRate      | purchases ÷ web visits                              | ratio   |
 * | dealsCreated/Won/Lost    | counts                                              | count   |
 * | revenueWon               | Σ won amounts in the base currency                  | money   |
 * | winRate                  | won ÷ (won + lost)                                  | ratio   |
 * | averageDealSize          | revenueWon ÷ dealsWon                               | money   |
 * | averageSalesCycle        | Σ (closedAt − createdAt) ÷ won deals                | seconds |
 * | salesCycleMedian / P90   | from the cycle histogram                            | seconds |
 * | openPipeline / openDeals | stock of open deals' amounts / count                | money   |
 * | weightedPipeline         | Σ per stage open amount × learned stage win rate    | money   |
 * | ticketsOpened / Solved   | counts                                              | count   |
 * | firstResponse/resolution Median, P90 | business minutes, from histograms       | minutes |
 * | slaCompliance            | solved within every target ÷ solved with a target   | ratio   |
 * | csat / csatAverage       | satisfied ÷ ratings / Σ score ÷ ratings (1..5)      | ratio / score |
 * | emailClickThroughRate    | clicked ÷ sent                                      | ratio   |
 * | emailConversionRate      | conversions within 30 days of a click ÷ sent        | ratio   |
 * | repeatPurchaseRate       | stock buyers with 2+ purchases ÷ buyers             | ratio   |
 * | customerLifetimeValue    | stock purchase revenue (base) ÷ buyers              | money   |
 *
 * A ratio with a zero denominator is null (nothing to say), never 0 or NaN. The learned stage win
 * rate is won ÷ (won + lost) of the closed deals that went through the stage (all time); a stage with no
 * closed deal yet takes the tenant's overall rate; with no closed deal at all, no weighted pipeline.
 */
import { minorUnitsOf } from '@relay/contracts/money'
import { quantile } from './histogram.js'

export type Metrics = Readonly<Record<string, number>>
export type Unit = 'count' | 'ratio' | 'money' | 'seconds' | 'minutes' | 'score'

export interface Rate {
  currency: string
  rate: string
}
export interface MoneyContext {
  baseCurrency: string
  rates: readonly Rate[]
}

export interface KpiContext extends MoneyContext {
  /** Running totals per stage (`<pipeline>:<stage>`) at the period's end, for the weighted pipeline. */
  stageStock?: ReadonlyMap<string, Metrics>
  /** Currencies seen that have no rate to the base currency (filled while computing). */
  unconverted: Set<string>
}

const ratio = (num: number, den: number): number | null => (den > 0 ? num / den : null)
const n = (m: Metrics, k: string) => m[k] ?? 0

/** Σ of `<prefix>_<CUR>` metrics in base-currency minor units (rounded once, at the end). */
export function moneyOf(m: Metrics, prefix: string, ctx: KpiContext): number {
  const baseExp = minorUnitsOf(ctx.baseCurrency) ?? 2
  let total = 0
  for (const [key, amount] of Object.entries(m)) {
    if (!key.startsWith(`${prefix}_`) || amount === 0) continue
    const currency = key.slice(prefix.length + 1)
    const rate =
      currency === ctx.baseCurrency ? 1 : Number(ctx.rates.find((r) => r.currency === currency)?.rate)
    if (!(rate > 0)) {
      ctx.unconverted.add(currency)
      continue
    }
    total += amount * rate * 10 ** (baseExp - (minorUnitsOf(currency) ?? 2))
  }
  return Math.round(total)
}

/** A histogram (`<prefix>_<bucket>` counters) as bucket → count. */
export function histogramOf(m: Metrics, prefix: string): Map<number, number> {
  const out = new Map<number, number>()
  for (const [key, count] of Object.entries(m))
    if (key.startsWith(`${prefix}_`) && count > 0) out.set(Number(key.slice(prefix.length + 1)), count)
  return out
}

const q = (m: Metrics, prefix: string, p: number, per = 1) => {
  const v = quantile(histogramOf(m, prefix), p)
  return v === null ? null : v / per
}

function weightedPipeline(ctx: KpiContext): number | null {
  if (!ctx.stageStock) return null
  let won = 0
  let lost = 0
  for (const m of ctx.stageStock.values()) {
    won += n(m, 'stageWon')
    lost += n(m, 'stageLost')
  }
  const overall = ratio(won, won + lost)
  if (overall === null) return null
  let total = 0
  for (const m of ctx.stageStock.values()) {
    const p = ratio(n(m, 'stageWon'), n(m, 'stageWon') + n(m, 'stageLost')) ?? overall
    total += moneyOf(m, 'openAmount', ctx) * p
  }
  return Math.round(total)
}

export interface KpiDef {
  unit: Unit
  /** Reads running totals (as of the period's end) rather than the period's flow. */
  stock?: boolean
  /** Dimensions a report of it may be grouped by. */
  groupBy: readonly string[]
  value: (flow: Metrics, stock: Metrics, ctx: KpiContext) => number | null
}

const OWNER_PIPELINE = ['owner', 'pipeline'] as const
const TICKET_DIMS = ['queue', 'priority', 'category', 'channel', 'owner'] as const

export const KPIS = {
  newContacts: {
    unit: 'count',
    groupBy: ['owner', 'source', 'channel'],
    value: (f) => n(f, 'contactsCreated'),
  },
  contactsTotal: {
    unit: 'count',
    stock: true,
    groupBy: [],
    value: (_f, s) => Math.max(0, n(s, 'contactsNet')),
  },
  newLeads: { unit: 'count', groupBy: ['owner', 'source', 'campaign'], value: (f) => n(f, 'leadsCreated') },
  leadsQualified: { unit: 'count', groupBy: [], value: (f) => n(f, 'leadsQualified') },
  leadsConverted: { unit: 'count', groupBy: ['source', 'campaign'], value: (f) => n(f, 'leadsConverted') },
  leadConversionRate: {
    unit: 'ratio',
    groupBy: ['source', 'campaign'],
    value: (f) => ratio(n(f, 'leadsConverted'), n(f, 'leadsCreated')),
  },
  leadToCustomerRate: {
    unit: 'ratio',
    groupBy: [],
    value: (f) => ratio(n(f, 'wonFromLead'), n(f, 'leadsCreated')),
  },
  visitToPurchaseRate: {
    unit: 'ratio',
    groupBy: ['channel'],
    value: (f) => ratio(n(f, 'purchases'), n(f, 'visits')),
  },
  dealsCreated: {
    unit: 'count',
    groupBy: ['owner', 'pipeline', 'stage'],
    value: (f) => n(f, 'dealsCreated'),
  },
  dealsWon: { unit: 'count', groupBy: OWNER_PIPELINE, value: (f) => n(f, 'dealsWon') },
  dealsLost: { unit: 'count', groupBy: OWNER_PIPELINE, value: (f) => n(f, 'dealsLost') },
  revenueWon: { unit: 'money', groupBy: OWNER_PIPELINE, value: (f, _s, c) => moneyOf(f, 'wonAmount', c) },
  winRate: {
    unit: 'ratio',
    groupBy: OWNER_PIPELINE,
    value: (f) => ratio(n(f, 'dealsWon'), n(f, 'dealsWon') + n(f, 'dealsLost')),
  },
  averageDealSize: {
    unit: 'money',
    groupBy: OWNER_PIPELINE,
    value: (f, _s, c) => {
      const avg = ratio(moneyOf(f, 'wonAmount', c), n(f, 'dealsWon'))
      return avg === null ? null : Math.round(avg)
    },
  },
  averageSalesCycle: {
    unit: 'seconds',
    groupBy: [],
    value: (f) => ratio(n(f, 'cycleSeconds'), n(f, 'cycleCount')),
  },
  salesCycleMedian: { unit: 'seconds', groupBy: [], value: (f) => q(f, 'hCycle', 0.5) },
  salesCycleP90: { unit: 'seconds', groupBy: [], value: (f) => q(f, 'hCycle', 0.9) },
  openPipeline: {
    unit: 'money',
    stock: true,
    groupBy: ['owner', 'pipeline', 'stage'],
    value: (_f, s, c) => moneyOf(s, 'openAmount', c),
  },
  openDeals: {
    unit: 'count',
    stock: true,
    groupBy: ['owner', 'pipeline', 'stage'],
    value: (_f, s) => n(s, 'openCount'),
  },
  weightedPipeline: { unit: 'money', stock: true, groupBy: [], value: (_f, _s, c) => weightedPipeline(c) },
  ticketsOpened: { unit: 'count', groupBy: TICKET_DIMS, value: (f) => n(f, 'ticketsOpened') },
  ticketsSolved: { unit: 'count', groupBy: TICKET_DIMS, value: (f) => n(f, 'ticketsSolved') },
  firstResponseMedian: {
    unit: 'minutes',
    groupBy: TICKET_DIMS,
    value: (f) => q(f, 'hFirstResponse', 0.5, 60),
  },
  firstResponseP90: { unit: 'minutes', groupBy: TICKET_DIMS, value: (f) => q(f, 'hFirstResponse', 0.9, 60) },
  resolutionMedian: { unit: 'minutes', groupBy: TICKET_DIMS, value: (f) => q(f, 'hResolution', 0.5, 60) },
  resolutionP90: { unit: 'minutes', groupBy: TICKET_DIMS, value: (f) => q(f, 'hResolution', 0.9, 60) },
  slaCompliance: {
    unit: 'ratio',
    groupBy: TICKET_DIMS,
    value: (f) => ratio(n(f, 'slaMet'), n(f, 'slaMet') + n(f, 'slaMissed')),
  },
  csat: {
    unit: 'ratio',
    groupBy: TICKET_DIMS,
    value: (f) => ratio(n(f, 'csatSatisfied'), n(f, 'csatResponses')),
  },
  csatAverage: {
    unit: 'score',
    groupBy: TICKET_DIMS,
    value: (f) => ratio(n(f, 'csatScore'), n(f, 'csatResponses')),
  },
  emailsSent: { unit: 'count', groupBy: ['campaign'], value: (f) => n(f, 'emailsSent') },
  emailClickThroughRate: {
    unit: 'ratio',
    groupBy: ['campaign'],
    value: (f) => ratio(n(f, 'emailsClicked'), n(f, 'emailsSent')),
  },
  emailConversionRate: {
    unit: 'ratio',
    groupBy: ['campaign'],
    value: (f) => ratio(n(f, 'emailsConverted'), n(f, 'emailsSent')),
  },
  purchases: { unit: 'count', groupBy: ['channel'], value: (f) => n(f, 'purchases') },
  repeatPurchaseRate: {
    unit: 'ratio',
    stock: true,
    groupBy: [],
    value: (_f, s) => ratio(n(s, 'repeatBuyers'), n(s, 'buyers')),
  },
  customerLifetimeValue: {
    unit: 'money',
    stock: true,
    groupBy: [],
    value: (_f, s, c) => {
      const v = ratio(moneyOf(s, 'purchaseAmount', c), n(s, 'buyers'))
      return v === null ? null : Math.round(v)
    },
  },
} as const satisfies Record<string, KpiDef>

export type KpiName = keyof typeof KPIS
export const KPI_NAMES = Object.keys(KPIS) as KpiName[]

/** Relative change against the comparison value: null when there is nothing to compare with. */
export function change(value: number | null, previous: number | null): number | null {
  if (value === null || previous === null || previous === 0) return null
  return (value - previous) / Math.abs(previous)
}
