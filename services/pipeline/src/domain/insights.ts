/**
 * Win-probability insight, pure: features of a deal, a logistic regression trained by batch
 * gradient descent with L2 on standardised features, and the factors behind one prediction.
 */
import type { Activity } from '@relay/contracts/activities'
import type { Deal } from '@relay/contracts/pipeline'
import { type DealInsights, INSIGHT_FEATURES, type Pipeline } from '@relay/contracts/pipeline'

export type Feature = (typeof INSIGHT_FEATURES)[number]
export type Features = Record<Feature, number>

/** Fewest closed deals (and at least 3 of each outcome) to learn from; below it the stage probability is used. */
export const MIN_CLOSED_DEALS = 20
const MIN_PER_CLASS = 3
const DAY_MS = 86_400_000

/**
 * The features of a deal as of `asOf` (now for an open deal; its close time for a closed one, so a
 * closed deal is described as it stood just before closing and its outcome stage never leaks in):
 * order of its (last open) stage, days in it, activities so far (count, days since the latest,
 * emails, meetings) and log10 of 1 + the amount in minor units.
 */
export function dealFeatures(
  deal: Deal,
  pipeline: Pipeline,
  activities: readonly Activity[],
  asOf: string,
): Features {
  const end = Date.parse(asOf)
  const open = pipeline.stages.filter((s) => !s.outcome)
  const visits = deal.stageHistory.filter((v) => open.some((s) => s.id === v.stageId))
  const last = visits[visits.length - 1]
  const stageOrder = Math.max(
    0,
    open.findIndex((s) => s.id === last?.stageId),
  )
  const enteredAt = last ? Date.parse(last.enteredAt) : Date.parse(deal.createdAt)
  const before = activities.filter((a) => Date.parse(a.createdAt) <= end)
  const times = before.map((a) => Date.parse(a.completedAt ?? a.createdAt)).filter((t) => t <= end)
  const latest = times.length ? Math.max(...times) : Date.parse(deal.createdAt)
  return {
    stageOrder,
    daysInStage: Math.max(0, (end - enteredAt) / DAY_MS),
    activityCount: before.length,
    daysSinceLastActivity: Math.min(365, Math.max(0, (end - latest) / DAY_MS)),
    emailCount: before.filter((a) => a.type === 'email').length,
    meetingCount: before.filter((a) => a.type === 'meeting').length,
    logAmount: Math.log10(1 + (deal.amount?.amountMinor ?? 0)),
  }
}

/** A trained model: weights on standardised features, and the standardisation. */
export interface Model {
  weights: number[]
  bias: number
  means: number[]
  stds: number[]
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))
const vector = (f: Features) => INSIGHT_FEATURES.map((k) => f[k])

/**
 * Logistic regression by full-batch gradient descent on standardised features (z-scores; a
 * constant feature gets std 1 and so weight ~0), L2 penalty `lambda` on the weights (not the bias).
 * Deterministic: weights start at 0.
 */
export function train(
  samples: readonly { features: Features; won: boolean }[],
  opts: { lambda?: number; iterations?: number; rate?: number } = {},
): Model {
  const { lambda = 0.05, iterations = 1500, rate = 0.3 } = opts
  const X = samples.map((s) => vector(s.features))
  const y = samples.map((s) => (s.won ? 1 : 0))
  const n = X.length
  const d = INSIGHT_FEATURES.length
  const means = Array.from({ length: d }, (_, j) => X.reduce((s, x) => s + (x[j] ?? 0), 0) / n)
  const stds = means.map((m, j) => {
    const sd = Math.sqrt(X.reduce((s, x) => s + ((x[j] ?? 0) - m) ** 2, 0) / n)
    return sd > 1e-9 ? sd : 1
  })
  const Z = X.map((x) => x.map((v, j) => (v - (means[j] ?? 0)) / (stds[j] ?? 1)))
  const w = new Array<number>(d).fill(0)
  let b = 0
  for (let it = 0; it < iterations; it++) {
    const gw = new Array<number>(d).fill(0)
    let gb = 0
    for (let i = 0; i < n; i++) {
      const z = Z[i] as number[]
      const err = sigmoid(b + z.reduce((s, v, j) => s + v * (w[j] ?? 0), 0)) - (y[i] ?? 0)
      gb += err
      for (let j = 0; j < d; j++) gw[j] = (gw[j] ?? 0) + err * (z[j] ?? 0)
    }
    for (let j = 0; j < d; j++) w[j] = (w[j] ?? 0) - rate * ((gw[j] ?? 0) / n + lambda * (w[j] ?? 0))
    b -= (rate * gb) / n
  }
  return { weights: w, bias: b, means, stds }
}

/** Probability of winning and each feature's contribution (weight × standardised value). */
export function predict(model: Model, features: Features) {
  const x = vector(features)
  const factors = INSIGHT_FEATURES.map((feature, j) => {
    const z = ((x[j] ?? 0) - (model.means[j] ?? 0)) / (model.stds[j] ?? 1)
    return { feature, value: x[j] ?? 0, contribution: (model.weights[j] ?? 0) * z }
  })
  const probability = sigmoid(model.bias + factors.reduce((s, f) => s + f.contribution, 0))
  return { probability, factors: factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)) }
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits

/**
 * The insight for a deal from its pipeline's closed history: the model when there is enough of
 * it (≥ MIN_CLOSED_DEALS closed, ≥ 3 won and ≥ 3 lost), else the stage's probability, saying why.
 */
export function dealInsights(input: {
  deal: Deal
  pipeline: Pipeline
  activities: readonly Activity[]
  history: readonly { deal: Deal; activities: readonly Activity[] }[]
  now: string
  topFactors?: number
}): DealInsights {
  const { deal, pipeline, history, now } = input
  const stage = pipeline.stages.find((s) => s.id === deal.stageId)
  const won = history.filter((h) => h.deal.status === 'won').length
  const lost = history.length - won
  const fallback = (reason: string): DealInsights => ({
    dealId: deal.id,
    probability: (stage?.probability ?? 0) / 100,
    method: 'stage-probability',
    trainedOn: history.length,
    reason,
    topFactors: [],
  })
  if (deal.status !== 'open') return fallback(`The deal is already ${deal.status}.`)
  if (history.length < MIN_CLOSED_DEALS || won < MIN_PER_CLASS || lost < MIN_PER_CLASS)
    return fallback(
      `Too little history: ${history.length} closed deals (${won} won, ${lost} lost) in this pipeline; ` +
        `the model needs ${MIN_CLOSED_DEALS} with at least ${MIN_PER_CLASS} of each outcome.`,
    )
  const model = train(
    history.map((h) => ({
      features: dealFeatures(h.deal, pipeline, h.activities, h.deal.closedAt ?? h.deal.updatedAt),
      won: h.deal.status === 'won',
    })),
  )
  const { probability, factors } = predict(model, dealFeatures(deal, pipeline, input.activities, now))
  return {
    dealId: deal.id,
    probability: round(probability, 4),
    method: 'logistic-regression',
    trainedOn: history.length,
    topFactors: factors
      .slice(0, input.topFactors ?? 3)
      .map((f) => ({ ...f, value: round(f.value, 3), contribution: round(f.contribution, 4) })),
  }
}
