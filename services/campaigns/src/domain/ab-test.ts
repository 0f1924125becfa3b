/**
 * A/B tests of a campaign: which variant each recipient gets, and when a test has a winner.
 *
 * | `ab.mode`          | allocation                                                                 |
 * | ------------------ | -------------------------------------------------------------------------- |
 * | `none` / 1 variant | everyone gets the first variant                                            |
 * | `test-then-winner` | the first `testPercent` % of recipients, round-robin across the variants;  |
 * |                    | then nothing until `decideAfterMinutes` after the test slice went out;     |
 * |                    | then the best goal rate is promoted (Variant.Promoted) and the rest get it |
 * | `bandit`           | every send by Thompson sampling on the goal's Beta posteriors (bandit.ts); |
 * |                    | once one variant is the best with P ≥ 95 % (and each has ≥ 100 sends) it   |
 * |                    | is promoted and the rest get it                                            |
 *
 * The goal (`open`, `click`, `conversion`; `click` when unset: Apple Mail Privacy Protection loads
 * every pixel, so opens flatter) is counted per recipient (unique opens, unique clicks, attributed
 * conversions) over sends. The sender calls {@link chooseVariants} once per batch with the
 * campaign as stored (its `progress` counts whom it already handled, exact even while the
 * Email.Sent events are still on their way) and the counters the metrics store keeps from the
 * campaign's events (`sent`, `opens`, `clicks`, `conversions`).
 *
 * Pure: no clock (callers pass `now`), no randomness but the {@link Rng} passed in.
 */
import { type ArmStats, probabilityBest, type Rng, thompsonAllocate, WINNER_PROBABILITY } from './bandit.js'

export const AB_GOALS = ['open', 'click', 'conversion'] as const
export type AbGoal = (typeof AB_GOALS)[number]
export type AbMode = 'none' | 'test-then-winner' | 'bandit'

/** Share of the audience in the test slice when the campaign does not say (Mailchimp's default is 20 %). */
export const DEFAULT_TEST_PERCENT = 20
/** Wait after the test slice before choosing (4 h: most opens of a send arrive within a few hours). */
export const DEFAULT_DECIDE_AFTER_MINUTES = 240
export const DEFAULT_GOAL: AbGoal = 'click'
/** Sends each variant needs before the bandit may settle on one (early luck is not evidence). */
export const BANDIT_MIN_SENDS = 100

/** A campaign's A/B settings (contracts `Campaign.ab`). */
export interface AbSettings {
  mode: AbMode
  goal?: AbGoal | undefined
  /** test-then-winner: share of the recipients in the test slice, 2 to 50. */
  testPercent?: number | undefined
  /** test-then-winner: minutes between the end of the test slice and the decision. */
  decideAfterMinutes?: number | undefined
  /** Set once a variant was promoted: everyone after gets it. */
  winnerVariantId?: string | undefined
}

/** What the A/B rules need of a campaign (the stored campaign has these fields). */
export interface AbCampaign {
  variants: readonly { id: string }[]
  ab?: AbSettings | undefined
  /** Recipients handled so far (sent, skipped, failed), from the sender's checkpoint. */
  progress?: { sent: number; skipped: number; failed: number } | undefined
  /** Recipients the campaign goes to (its audience counted when the send started). */
  recipients?: number | undefined
}

/** The decision state kept beside the campaign (store/variants.ts). */
export interface AbState {
  /** When the last recipient of the test slice was handed to the sender. */
  testCompletedAt?: string | undefined
  decidedAt?: string | undefined
  reason?: string | undefined
}

/** One variant's numbers as the allocation sees them (from the campaign's events). */
export interface VariantStats {
  sent: number
  opens: number
  clicks: number
  conversions: number
}

export const EMPTY_STATS: VariantStats = { sent: 0, opens: 0, clicks: 0, conversions: 0 }

function statsOf(stats: Readonly<Record<string, VariantStats>>, id: string): VariantStats {
  return stats[id] ?? EMPTY_STATS
}

/** The goal a campaign's test is measured on. */
export const goalOf = (campaign: AbCampaign): AbGoal => campaign.ab?.goal ?? DEFAULT_GOAL

/** The goal's evidence for one variant: successes among its sends. */
export function goalArm(id: string, s: VariantStats, goal: AbGoal): ArmStats {
  const successes = goal === 'open' ? s.opens : goal === 'click' ? s.clicks : s.conversions
  return { id, successes, trials: Math.max(s.sent, successes) }
}

/** Recipients handled so far by the sender. */
export function handled(campaign: AbCampaign): number {
  const p = campaign.progress
  return p ? p.sent + p.skipped + p.failed : 0
}

/**
 * Recipients in the test slice: at least one per variant, never more than the audience. Unknown
 * audience size (a campaign started before the sender recorded it): no bound, so the test never
 * holds anyone and the campaign goes out round-robin rather than stalling.
 */
export function testSliceSize(campaign: AbCampaign): number {
  const total = campaign.recipients
  if (total === undefined) return Number.POSITIVE_INFINITY
  const k = campaign.variants.length
  const percent = campaign.ab?.testPercent ?? DEFAULT_TEST_PERCENT
  return Math.min(total, Math.max(k, Math.ceil((total * percent) / 100)))
}

/** The campaign's test mode, `none` when there is nothing to test (one variant). */
export function modeOf(campaign: AbCampaign): AbMode {
  return campaign.variants.length >= 2 ? (campaign.ab?.mode ?? 'none') : 'none'
}

/**
 * The variant of each of the next `n` recipients. Fewer than `n` (possibly none) means: hold the
 * others (a test-then-winner campaign whose test slice is out and whose winner is not chosen yet;
 * {@link holdUntil} says until when, {@link decideWinner} chooses).
 *
 * @example
 * const ids = chooseVariants(campaign, stats, batch.length, seededRng(`${campaign.id}#${batchNo}`))
 */
export function chooseVariants(
  campaign: AbCampaign,
  stats: Readonly<Record<string, VariantStats>>,
  n: number,
  rng: Rng,
): string[] {
  const ids = campaign.variants.map((v) => v.id)
  const first = ids[0]
  if (first === undefined) throw new RangeError('A campaign needs at least one variant')
  if (n <= 0) return []
  const winner = campaign.ab?.winnerVariantId
  if (winner !== undefined && ids.includes(winner)) return Array.from({ length: n }, () => winner)
  const mode = modeOf(campaign)
  if (mode === 'none') return Array.from({ length: n }, () => first)
  if (mode === 'bandit') {
    const goal = goalOf(campaign)
    return thompsonAllocate(
      ids.map((id) => goalArm(id, statsOf(stats, id), goal)),
      n,
      rng,
    )
  }
  // test-then-winner: round-robin by position in the audience, so a batch run again after a
  // restart gives each position the variant it had, and the slice stays even.
  const offset = handled(campaign)
  const room = Math.max(0, Math.min(n, testSliceSize(campaign) - offset))
  return Array.from({ length: room }, (_, i) => ids[(offset + i) % ids.length] as string)
}

/** Whether the test slice has been handed out in full (the store then records `testCompletedAt`). */
export function testSliceComplete(campaign: AbCampaign): boolean {
  if (modeOf(campaign) !== 'test-then-winner' || campaign.ab?.winnerVariantId !== undefined) return false
  return handled(campaign) >= testSliceSize(campaign)
}

/** When a held test-then-winner campaign may choose its winner (undefined: not waiting). */
export function holdUntil(campaign: AbCampaign, state: AbState): string | undefined {
  if (modeOf(campaign) !== 'test-then-winner') return undefined
  if (campaign.ab?.winnerVariantId !== undefined || state.testCompletedAt === undefined) return undefined
  const wait = campaign.ab?.decideAfterMinutes ?? DEFAULT_DECIDE_AFTER_MINUTES
  return new Date(Date.parse(state.testCompletedAt) + wait * 60_000).toISOString()
}

export interface WinnerDecision {
  variantId: string
  goal: AbGoal
  method: 'test-then-winner' | 'bandit'
  /** Each variant's sends and goal successes (and P(best) for the bandit) at the decision. */
  figures: { variantId: string; sent: number; successes: number; probabilityBest?: number }[]
  reason: string
}

function figuresOf(campaign: AbCampaign, stats: Readonly<Record<string, VariantStats>>, goal: AbGoal) {
  return campaign.variants.map(({ id }) => {
    const arm = goalArm(id, statsOf(stats, id), goal)
    return { variantId: id, sent: arm.trials, successes: arm.successes }
  })
}

/**
 * The winner of a test-then-winner campaign once its wait is over: the best goal rate; a tie goes
 * to the variant listed first (the marketer's control). Undefined while it must still wait.
 */
export function decideWinner(
  campaign: AbCampaign,
  state: AbState,
  stats: Readonly<Record<string, VariantStats>>,
  now: string,
): WinnerDecision | undefined {
  const until = holdUntil(campaign, state)
  if (until === undefined || Date.parse(now) < Date.parse(until)) return undefined
  const goal = goalOf(campaign)
  const figures = figuresOf(campaign, stats, goal)
  const rateOf = (f: { sent: number; successes: number }) => (f.sent === 0 ? 0 : f.successes / f.sent)
  let best = figures[0] as (typeof figures)[number]
  for (const f of figures) if (rateOf(f) > rateOf(best)) best = f
  const allEqual = figures.every((f) => rateOf(f) === rateOf(best))
  return {
    variantId: best.variantId,
    goal,
    method: 'test-then-winner',
    figures,
    reason: allEqual
      ? `No variant did better on ${goal} rate after the wait: the first variant is kept`
      : `Highest ${goal} rate (${(rateOf(best) * 100).toFixed(1)} %) after the test slice and the wait`,
  }
}

/**
 * Whether a bandit campaign has settled: one variant best with P ≥ 95 % once every variant had
 * {@link BANDIT_MIN_SENDS} sends. Undefined while it keeps exploring.
 */
export function banditWinner(
  campaign: AbCampaign,
  stats: Readonly<Record<string, VariantStats>>,
  rng: Rng,
): WinnerDecision | undefined {
  if (modeOf(campaign) !== 'bandit' || campaign.ab?.winnerVariantId !== undefined) return undefined
  const goal = goalOf(campaign)
  const figures = figuresOf(campaign, stats, goal)
  if (figures.some((f) => f.sent < BANDIT_MIN_SENDS)) return undefined
  const pBest = probabilityBest(
    figures.map((f) => ({ id: f.variantId, successes: f.successes, trials: f.sent })),
    rng,
  )
  const leader = figures.reduce((a, b) => ((pBest[b.variantId] ?? 0) > (pBest[a.variantId] ?? 0) ? b : a))
  const p = pBest[leader.variantId] ?? 0
  if (p < WINNER_PROBABILITY) return undefined
  return {
    variantId: leader.variantId,
    goal,
    method: 'bandit',
    figures: figures.map((f) => ({ ...f, probabilityBest: pBest[f.variantId] ?? 0 })),
    reason: `Best ${goal} rate with probability ${(p * 100).toFixed(1)} % (Thompson sampling)`,
  }
}

export type AbDecisionView =
  | { status: 'none' }
  | { status: 'testing'; testSliceSize: number; handled: number }
  | { status: 'waiting'; decideAt: string }
  | { status: 'promoted'; variantId: string; decidedAt?: string | undefined; reason?: string | undefined }
  | {
      status: 'exploring'
      /** The variant sends lean to now, and how sure the posteriors are that each is the best. */
      leader: string
      probabilityBest: Record<string, number>
    }

/** The decision as the report shows it. */
export function decisionView(
  campaign: AbCampaign,
  state: AbState,
  stats: Readonly<Record<string, VariantStats>>,
  rng: Rng,
): AbDecisionView {
  const mode = modeOf(campaign)
  if (mode === 'none') return { status: 'none' }
  const winner = campaign.ab?.winnerVariantId
  if (winner !== undefined)
    return {
      status: 'promoted',
      variantId: winner,
      ...(state.decidedAt ? { decidedAt: state.decidedAt } : {}),
      ...(state.reason ? { reason: state.reason } : {}),
    }
  if (mode === 'bandit') {
    const goal = goalOf(campaign)
    const arms = campaign.variants.map((v) => goalArm(v.id, statsOf(stats, v.id), goal))
    const pBest = probabilityBest(arms, rng)
    let leader = arms[0]?.id as string
    for (const arm of arms) if ((pBest[arm.id] ?? 0) > (pBest[leader] ?? 0)) leader = arm.id
    return { status: 'exploring', leader, probabilityBest: pBest }
  }
  const until = holdUntil(campaign, state)
  if (until !== undefined) return { status: 'waiting', decideAt: until }
  return { status: 'testing', testSliceSize: testSliceSize(campaign), handled: handled(campaign) }
}
