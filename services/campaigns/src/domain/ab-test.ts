/**
 * A/B tests of a campaign: which variant each recipient gets, and when a test has a winner.
 *
 * | mode               | allocation                                                                 |
 * | ------------------ | -------------------------------------------------------------------------- |
 * | (no test, 1 variant)| everyone gets the first variant                                           |
 * | `test-then-winner` | the first `testPercent` % of recipients, round-robin across the variants;  |
 * |                    | then nothing until `waitMinutes` after the test slice went out; then the   |
 * |                    | variant with the best goal rate is promoted and the rest all get it        |
 * | `adaptive`         | every send by Thompson sampling on the goal's Beta posteriors (bandit.ts)  |
 *
 * The goal (`open`, `click`, `conversion`) is counted per recipient (unique opens, unique clicks,
 * attributed conversions) over sends. The sender (camp-send) calls {@link chooseVariants} once
 * per batch with its own count of recipients already given each variant (`assigned`, exact
 * even while the Email.Sent events are still on their way) and the counters the metrics store
 * keeps from the campaign's events (`sent`, `opens`, `clicks`, `conversions`).
 *
 * Pure: no clock (callers pass `now`), no randomness but the {@link Rng} passed in.
 */
import { type ArmStats, probabilityBest, type Rng, thompsonAllocate, WINNER_PROBABILITY } from './bandit.js'

export const AB_MODES = ['test-then-winner', 'adaptive'] as const
export type AbMode = (typeof AB_MODES)[number]
export const AB_GOALS = ['open', 'click', 'conversion'] as const
export type AbGoal = (typeof AB_GOALS)[number]

/** Share of the audience in the test slice when the campaign does not say (Mailchimp's default is 20 %). */
export const DEFAULT_TEST_PERCENT = 20
/** Wait after the test slice before choosing (4 h: most opens of a send arrive within a few hours). */
export const DEFAULT_WAIT_MINUTES = 240

export interface AbTestSettings {
  mode: AbMode
  goal: AbGoal
  /** test-then-winner: share of the recipients in the test slice, 1 to 50. */
  testPercent?: number | undefined
  /** test-then-winner: minutes between the end of the test slice and the decision. */
  waitMinutes?: number | undefined
}

/** What the A/B rules need of a campaign (camp-send's campaign has these fields). */
export interface AbCampaign {
  variants: readonly { id: string }[]
  abTest?: AbTestSettings | undefined
  /** Recipients the campaign goes to (its audience evaluated when the send started). */
  recipientCount?: number | undefined
}

/** The decision state kept beside the campaign (store/variants.ts). */
export interface AbState {
  /** When the last recipient of the test slice was handed to the sender. */
  testCompletedAt?: string | undefined
  promotedVariantId?: string | undefined
  decidedAt?: string | undefined
}

/** One variant's numbers as the allocation sees them. */
export interface VariantStats {
  /** Recipients the sender has given this variant so far (its own send records). */
  assigned: number
  /** From the campaign's events: Email.Sent, unique opens, unique clicks, attributed conversions. */
  sent: number
  opens: number
  clicks: number
  conversions: number
}

export const EMPTY_STATS: VariantStats = { assigned: 0, sent: 0, opens: 0, clicks: 0, conversions: 0 }

function statsOf(stats: Readonly<Record<string, VariantStats>>, id: string): VariantStats {
  return stats[id] ?? EMPTY_STATS
}

/** The goal's evidence for one variant: successes among its sends. */
export function goalArm(id: string, s: VariantStats, goal: AbGoal): ArmStats {
  const successes = goal === 'open' ? s.opens : goal === 'click' ? s.clicks : s.conversions
  return { id, successes, trials: Math.max(s.sent, successes) }
}

/** Recipients in the test slice: at least one per variant, never more than the audience. */
export function testSliceSize(campaign: AbCampaign): number {
  const total = campaign.recipientCount ?? 0
  const k = campaign.variants.length
  const percent = campaign.abTest?.testPercent ?? DEFAULT_TEST_PERCENT
  return Math.min(total, Math.max(k, Math.ceil((total * percent) / 100)))
}

function isTest(campaign: AbCampaign): campaign is AbCampaign & { abTest: AbTestSettings } {
  return campaign.abTest !== undefined && campaign.variants.length >= 2
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
  campaign: AbCampaign & { ab?: AbState | undefined },
  stats: Readonly<Record<string, VariantStats>>,
  n: number,
  rng: Rng,
): string[] {
  const first = campaign.variants[0]?.id
  if (first === undefined) throw new RangeError('A campaign needs at least one variant')
  if (n <= 0) return []
  const promoted = campaign.ab?.promotedVariantId
  if (promoted !== undefined) return Array.from({ length: n }, () => promoted)
  if (!isTest(campaign)) return Array.from({ length: n }, () => first)
  const ids = campaign.variants.map((v) => v.id)
  if (campaign.abTest.mode === 'adaptive') {
    return thompsonAllocate(
      ids.map((id) => goalArm(id, statsOf(stats, id), campaign.abTest.goal)),
      n,
      rng,
    )
  }
  // test-then-winner: fill the test slice evenly, always topping up the variant that has fewest.
  const assigned = new Map(ids.map((id) => [id, statsOf(stats, id).assigned]))
  const already = [...assigned.values()].reduce((a, b) => a + b, 0)
  const room = Math.max(0, Math.min(n, testSliceSize(campaign) - already))
  const out: string[] = []
  for (let i = 0; i < room; i++) {
    let pick = ids[0] as string
    for (const id of ids) if ((assigned.get(id) ?? 0) < (assigned.get(pick) ?? 0)) pick = id
    assigned.set(pick, (assigned.get(pick) ?? 0) + 1)
    out.push(pick)
  }
  return out
}

/** Whether the test slice has been handed out in full (the sender then records `testCompletedAt`). */
export function testSliceComplete(
  campaign: AbCampaign,
  stats: Readonly<Record<string, VariantStats>>,
): boolean {
  if (!isTest(campaign) || campaign.abTest.mode !== 'test-then-winner') return false
  const assigned = campaign.variants.reduce((sum, v) => sum + statsOf(stats, v.id).assigned, 0)
  return assigned >= testSliceSize(campaign)
}

/** When a held test-then-winner campaign may choose its winner (undefined: not waiting). */
export function holdUntil(campaign: AbCampaign, state: AbState): string | undefined {
  if (!isTest(campaign) || campaign.abTest.mode !== 'test-then-winner') return undefined
  if (state.promotedVariantId !== undefined || state.testCompletedAt === undefined) return undefined
  const wait = campaign.abTest.waitMinutes ?? DEFAULT_WAIT_MINUTES
  return new Date(Date.parse(state.testCompletedAt) + wait * 60_000).toISOString()
}

export interface WinnerDecision {
  variantId: string
  goal: AbGoal
  /** Goal successes / sends per variant at the decision. */
  rates: Record<string, number>
  reason: string
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
  const goal = (campaign.abTest as AbTestSettings).goal
  const rates: Record<string, number> = {}
  let best: string | undefined
  for (const { id } of campaign.variants) {
    const arm = goalArm(id, statsOf(stats, id), goal)
    const rate = arm.trials === 0 ? 0 : arm.successes / arm.trials
    rates[id] = rate
    if (best === undefined || rate > (rates[best] ?? 0)) best = id
  }
  const winner = best as string
  const allEqual = Object.values(rates).every((r) => r === rates[winner])
  return {
    variantId: winner,
    goal,
    rates,
    reason: allEqual
      ? `No variant did better on ${goal} rate after the wait: the first variant is kept`
      : `Highest ${goal} rate after the test slice and wait`,
  }
}

export type AbDecisionView =
  | { status: 'none' }
  | { status: 'testing'; testSliceSize: number; assigned: number }
  | { status: 'waiting'; decideAt: string }
  | { status: 'promoted'; variantId: string; decidedAt?: string | undefined }
  | {
      status: 'adaptive'
      /** The variant sends lean to now, and how sure the posteriors are it is the best. */
      leader: string
      probabilityBest: Record<string, number>
      /** Set once P(best) passes {@link WINNER_PROBABILITY}. */
      winner?: string | undefined
    }

/** The decision as the report shows it. */
export function decisionView(
  campaign: AbCampaign,
  state: AbState,
  stats: Readonly<Record<string, VariantStats>>,
  rng: Rng,
): AbDecisionView {
  if (!isTest(campaign)) return { status: 'none' }
  if (state.promotedVariantId !== undefined)
    return { status: 'promoted', variantId: state.promotedVariantId, decidedAt: state.decidedAt }
  if (campaign.abTest.mode === 'adaptive') {
    const arms = campaign.variants.map((v) => goalArm(v.id, statsOf(stats, v.id), campaign.abTest.goal))
    const pBest = probabilityBest(arms, rng)
    let leader = arms[0]?.id as string
    for (const arm of arms) if ((pBest[arm.id] ?? 0) > (pBest[leader] ?? 0)) leader = arm.id
    const winner = (pBest[leader] ?? 0) >= WINNER_PROBABILITY ? leader : undefined
    return { status: 'adaptive', leader, probabilityBest: pBest, ...(winner ? { winner } : {}) }
  }
  const until = holdUntil(campaign, state)
  if (until !== undefined) return { status: 'waiting', decideAt: until }
  const assigned = campaign.variants.reduce((sum, v) => sum + statsOf(stats, v.id).assigned, 0)
  return { status: 'testing', testSliceSize: testSliceSize(campaign), assigned }
}
