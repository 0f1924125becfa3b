import { describe, expect, it } from 'vitest'
import {
  type AbCampaign,
  banditWinner,
  chooseVariants,
  decideWinner,
  decisionView,
  holdUntil,
  testSliceComplete,
  testSliceSize,
  type VariantStats,
} from '../src/domain/ab-test.js'
import {
  posteriorMean,
  probabilityBest,
  sampleBeta,
  seededRng,
  thompsonAllocate,
} from '../src/domain/bandit.js'

describe('seeded RNG and Beta sampling', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = seededRng('campaign-1#0')
    const b = seededRng('campaign-1#0')
    const c = seededRng('campaign-1#1')
    const seqA = Array.from({ length: 5 }, a)
    expect(Array.from({ length: 5 }, b)).toEqual(seqA)
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA)
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true)
  })

  it('draws Beta samples with the right mean (Beta(3, 7) → 0.3, Beta(0.5, 0.5) → 0.5)', () => {
    const rng = seededRng(42)
    const mean = (a: number, b: number) => {
      let sum = 0
      for (let i = 0; i < 20_000; i++) sum += sampleBeta(a, b, rng)
      return sum / 20_000
    }
    expect(mean(3, 7)).toBeCloseTo(0.3, 2)
    expect(mean(0.5, 0.5)).toBeCloseTo(0.5, 1)
  })

  it('keeps the posterior mean within the prior when successes exceed trials (late events)', () => {
    expect(posteriorMean({ id: 'a', successes: 5, trials: 3 })).toBeLessThanOrEqual(1)
    expect(posteriorMean({ id: 'a', successes: 0, trials: 0 })).toBe(0.5)
  })
})

/**
 * Simulated campaign: batches of sends; each send's outcome drawn with the variant's true rate and
 * counted before the next batch (as the events would be).
 */
function simulate(trueRates: Record<string, number>, batches: number, batchSize: number, seed: number) {
  const rng = seededRng(seed)
  const outcome = seededRng(seed + 1)
  const ids = Object.keys(trueRates)
  const stats = Object.fromEntries(ids.map((id) => [id, { id, successes: 0, trials: 0 }]))
  const perBatch: Record<string, number>[] = []
  for (let b = 0; b < batches; b++) {
    const picks = thompsonAllocate(Object.values(stats), batchSize, rng)
    const counts: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]))
    for (const id of picks) {
      const arm = stats[id] as { successes: number; trials: number }
      arm.trials += 1
      if (outcome() < (trueRates[id] as number)) arm.successes += 1
      counts[id] = (counts[id] ?? 0) + 1
    }
    perBatch.push(counts)
  }
  return { stats, perBatch }
}

describe('Thompson sampling on simulated variants with known rates', () => {
  it('converges to the best of three variants (open rates 20 %, 25 %, 35 %)', () => {
    const { stats, perBatch } = simulate({ a: 0.2, b: 0.25, c: 0.35 }, 40, 100, 7)
    const last = perBatch.slice(-10).reduce((sum, counts) => sum + (counts.c ?? 0), 0)
    // In the last 10 batches (1 000 sends), the best variant gets at least 90 % of them.
    expect(last / 1000).toBeGreaterThan(0.9)
    // And overall it got the most sends.
    expect(stats.c?.trials).toBeGreaterThan((stats.a?.trials ?? 0) + (stats.b?.trials ?? 0))
    expect(probabilityBest(Object.values(stats), seededRng(1)).c).toBeGreaterThan(0.95)
  })

  it('converges for every seed tried, and explores evenly before any evidence', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { perBatch } = simulate({ x: 0.05, y: 0.1 }, 60, 100, seed * 101)
      const lastY = perBatch.slice(-10).reduce((sum, c) => sum + (c.y ?? 0), 0)
      expect(lastY / 1000).toBeGreaterThan(0.8)
    }
    const first = thompsonAllocate(
      [
        { id: 'x', successes: 0, trials: 0 },
        { id: 'y', successes: 0, trials: 0 },
      ],
      1000,
      seededRng(9),
    )
    const xs = first.filter((id) => id === 'x').length
    expect(xs).toBeGreaterThan(400)
    expect(xs).toBeLessThan(600)
  })

  it('is deterministic for a seed', () => {
    const arms = [
      { id: 'a', successes: 10, trials: 100 },
      { id: 'b', successes: 12, trials: 100 },
    ]
    expect(thompsonAllocate(arms, 50, seededRng('s'))).toEqual(thompsonAllocate(arms, 50, seededRng('s')))
  })
})

const twoVariants = [{ id: 'A' }, { id: 'B' }]
const progress = (handled: number) => ({ sent: handled, skipped: 0, failed: 0 })
const stats = (sent: number, opens: number, clicks = 0): VariantStats => ({
  sent,
  opens,
  clicks,
  conversions: 0,
})

describe('chooseVariants (the hook the sender calls per batch)', () => {
  it('sends everyone the only variant, and the promoted one once there is one', () => {
    expect(chooseVariants({ variants: [{ id: 'A' }] }, {}, 3, seededRng(1))).toEqual(['A', 'A', 'A'])
    const promoted: AbCampaign = {
      variants: twoVariants,
      ab: { mode: 'bandit', goal: 'click', winnerVariantId: 'B' },
    }
    expect(chooseVariants(promoted, {}, 2, seededRng(1))).toEqual(['B', 'B'])
    expect(chooseVariants({ variants: twoVariants, ab: { mode: 'none' } }, {}, 2, seededRng(1))).toEqual([
      'A',
      'A',
    ])
  })

  it('test-then-winner: fills the test slice round-robin by position, then holds', () => {
    const campaign: AbCampaign = {
      variants: twoVariants,
      ab: { mode: 'test-then-winner', goal: 'open', testPercent: 10 },
      recipients: 1000,
    }
    expect(testSliceSize(campaign)).toBe(100)
    const first = chooseVariants(campaign, {}, 60, seededRng(1))
    expect(first).toHaveLength(60)
    expect(first.filter((v) => v === 'A')).toHaveLength(30)
    // 60 handled: only 40 more fit in the slice, and position 60 is A's again.
    const second = chooseVariants({ ...campaign, progress: progress(60) }, {}, 60, seededRng(2))
    expect(second).toHaveLength(40)
    expect(second.slice(0, 2)).toEqual(['A', 'B'])
    // A batch run again after a restart gives the same positions the same variants.
    expect(chooseVariants({ ...campaign, progress: progress(61) }, {}, 3, seededRng(9))).toEqual([
      'B',
      'A',
      'B',
    ])
    expect(testSliceComplete({ ...campaign, progress: progress(100) })).toBe(true)
    expect(chooseVariants({ ...campaign, progress: progress(100) }, {}, 60, seededRng(3))).toEqual([])
  })

  it('test-then-winner: waits, then promotes the best goal rate; a tie keeps the first variant', () => {
    const campaign: AbCampaign = {
      variants: twoVariants,
      ab: { mode: 'test-then-winner', goal: 'click', decideAfterMinutes: 60 },
      recipients: 500,
      progress: progress(100),
    }
    const state = { testCompletedAt: '2026-03-01T10:00:00.000Z' }
    const s = { A: stats(50, 20, 4), B: stats(50, 10, 9) }
    expect(holdUntil(campaign, state)).toBe('2026-03-01T11:00:00.000Z')
    expect(decideWinner(campaign, state, s, '2026-03-01T10:59:59.000Z')).toBeUndefined()
    const decision = decideWinner(campaign, state, s, '2026-03-01T11:00:00.000Z')
    expect(decision?.variantId).toBe('B')
    expect(decision?.figures).toEqual([
      { variantId: 'A', sent: 50, successes: 4 },
      { variantId: 'B', sent: 50, successes: 9 },
    ])
    const tie = { A: stats(50, 20, 5), B: stats(50, 10, 5) }
    expect(decideWinner(campaign, state, tie, '2026-03-02T00:00:00.000Z')?.variantId).toBe('A')
    expect(decisionView(campaign, state, s, seededRng(1))).toEqual({
      status: 'waiting',
      decideAt: '2026-03-01T11:00:00.000Z',
    })
    expect(decisionView(campaign, {}, s, seededRng(1))).toEqual({
      status: 'testing',
      testSliceSize: 100,
      handled: 100,
    })
  })

  it('bandit: leans to the better variant and settles once P(best) ≥ 95 % with enough sends', () => {
    const campaign: AbCampaign = { variants: twoVariants, ab: { mode: 'bandit', goal: 'open' } }
    const s = { A: stats(500, 50), B: stats(500, 100) }
    const picks = chooseVariants(campaign, s, 200, seededRng(5))
    expect(picks.filter((v) => v === 'B').length).toBeGreaterThan(190)
    expect(decisionView(campaign, {}, s, seededRng(6))).toMatchObject({ status: 'exploring', leader: 'B' })
    expect(banditWinner(campaign, s, seededRng(6))).toMatchObject({ variantId: 'B', method: 'bandit' })
    // Too few sends, or too close to call: it keeps exploring.
    expect(banditWinner(campaign, { A: stats(50, 1), B: stats(50, 20) }, seededRng(6))).toBeUndefined()
    expect(banditWinner(campaign, { A: stats(500, 100), B: stats(500, 101) }, seededRng(6))).toBeUndefined()
  })
})
