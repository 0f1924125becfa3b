/**
 * The forecast, pure. For the deals whose close date falls in a period, per owner and summed, in
 * the tenant's base currency:
 *
 * - `closedWon`: won deals;
 * - `commit`: closed won + open deals in a `commit` stage;
 * - `bestCase`: commit + open deals in a `best_case` stage;
 * - `pipeline`: open deals in a `pipeline` stage;
 * - `weighted`: every open deal × its stage's probability.
 *
 * Lost deals and `omitted` stages count nowhere. Amounts convert exactly (rational rates), are summed
 * exactly, and each reported figure is rounded once, half to even, to the base currency's minor
 * unit; so a total can differ by a minor unit from the sum of the rounded per-owner figures.
 * Deals in a currency without a rate are left out and their currencies listed in `missingRates`.
 */
import type { CurrencySettings, Deal, Forecast, Pipeline, Quotas } from '@relay/contracts/pipeline'
import { add, convert, mul, parseDecimal, type Ratio, roundHalfEven, whole, ZERO } from './money.js'
import { stageOf } from './pipeline.js'

/**
 * First and last day (inclusive, `YYYY-MM-DD`) of a period: `2026-Q4`, `2026-11` or `2026`.
 *
 * @example
 * periodRange('2026-Q4') // { from: '2026-10-01', to: '2026-12-31' }
 */
export function periodRange(period: string): { from: string; to: string } {
  const year = Number(period.slice(0, 4))
  let firstMonth = 1
  let months = 12
  const q = /-Q([1-4])$/.exec(period)
  const m = /-(\d{2})$/.exec(period)
  if (q) {
    firstMonth = (Number(q[1]) - 1) * 3 + 1
    months = 3
  } else if (m) {
    firstMonth = Number(m[1])
    months = 1
  }
  const lastDay = new Date(Date.UTC(year, firstMonth - 1 + months, 0)).getUTCDate()
  const lastMonth = firstMonth + months - 1
  const pad = (n: number) => String(n).padStart(2, '0')
  return { from: `${year}-${pad(firstMonth)}-01`, to: `${year}-${pad(lastMonth)}-${pad(lastDay)}` }
}

/** Exact rates to the base currency (the base itself is 1). */
export function ratesToBase(settings: Pick<CurrencySettings, 'baseCurrency' | 'rates'>): Map<string, Ratio> {
  const rates = new Map<string, Ratio>([[settings.baseCurrency, whole(1)]])
  for (const r of settings.rates)
    if (r.currency !== settings.baseCurrency) rates.set(r.currency, parseDecimal(r.rate))
  return rates
}

interface Buckets {
  won: Ratio
  commit: Ratio
  bestCase: Ratio
  pipeline: Ratio
  weighted: Ratio
  quota?: Ratio
  deals: number
}

const empty = (): Buckets => ({
  won: ZERO,
  commit: ZERO,
  bestCase: ZERO,
  pipeline: ZERO,
  weighted: ZERO,
  deals: 0,
})

const figures = (b: Buckets) => {
  const closedWon = roundHalfEven(b.won)
  const commit = roundHalfEven(add(b.won, b.commit))
  return {
    closedWon,
    commit,
    bestCase: roundHalfEven(add(add(b.won, b.commit), b.bestCase)),
    pipeline: roundHalfEven(b.pipeline),
    weighted: roundHalfEven(b.weighted),
    ...(b.quota ? { quota: roundHalfEven(b.quota) } : {}),
    deals: b.deals,
  }
}

/**
 * The forecast of `deals` (already limited to the period by close date, and to a pipeline or owner
 * when asked). See the module comment for the rules.
 */
export function computeForecast(input: {
  period: string
  deals: readonly Deal[]
  pipelines: ReadonlyMap<string, Pipeline>
  currencies: Pick<CurrencySettings, 'baseCurrency' | 'rates'>
  quotas?: Pick<Quotas, 'quotas'> | undefined
  owner?: string | undefined
}): Forecast {
  const base = input.currencies.baseCurrency
  const rates = ratesToBase(input.currencies)
  const missing = new Set<string>()
  const owners = new Map<string, Buckets>()
  const bucketOf = (ownerId: string) => {
    let b = owners.get(ownerId)
    if (!b) {
      b = empty()
      owners.set(ownerId, b)
    }
    return b
  }
  const toBase = (amountMinor: number, currency: string): Ratio | undefined => {
    const rate = rates.get(currency)
    if (!rate) {
      missing.add(currency)
      return undefined
    }
    return convert(amountMinor, currency, base, rate)
  }

  for (const deal of input.deals) {
    const pipeline = input.pipelines.get(deal.pipelineId)
    const stage = pipeline ? stageOf(pipeline, deal.stageId) : undefined
    if (!stage || deal.status === 'lost') continue
    const amount = deal.amount ? toBase(deal.amount.amountMinor, deal.amount.currency) : ZERO
    if (!amount) continue
    const b = bucketOf(deal.ownerId)
    b.deals += 1
    if (deal.status === 'won') {
      b.won = add(b.won, amount)
      continue
    }
    b.weighted = add(b.weighted, mul(amount, { num: BigInt(stage.probability), den: 100n }))
    if (stage.forecastCategory === 'commit') b.commit = add(b.commit, amount)
    else if (stage.forecastCategory === 'best_case') b.bestCase = add(b.bestCase, amount)
    else if (stage.forecastCategory === 'pipeline') b.pipeline = add(b.pipeline, amount)
  }

  for (const q of input.quotas?.quotas ?? []) {
    if (input.owner && q.ownerId !== input.owner) continue
    const amount = toBase(q.amount.amountMinor, q.amount.currency)
    if (!amount) continue
    const b = bucketOf(q.ownerId)
    b.quota = add(b.quota ?? ZERO, amount)
  }

  const total = empty()
  let anyQuota = false
  for (const b of owners.values()) {
    total.won = add(total.won, b.won)
    total.commit = add(total.commit, b.commit)
    total.bestCase = add(total.bestCase, b.bestCase)
    total.pipeline = add(total.pipeline, b.pipeline)
    total.weighted = add(total.weighted, b.weighted)
    total.deals += b.deals
    if (b.quota) {
      anyQuota = true
      total.quota = add(total.quota ?? ZERO, b.quota)
    }
  }
  if (!anyQuota) delete total.quota
  const { from, to } = periodRange(input.period)
  return {
    period: input.period,
    from,
    to,
    currency: base,
    owners: [...owners.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([ownerId, b]) => ({ ownerId, ...figures(b) })),
    total: figures(total),
    missingRates: [...missing].sort(),
  }
}
