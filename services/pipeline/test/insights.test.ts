/** The win-probability model on a synthetic history where the answer is known, and deal automation rules. */
import type { Activity } from '@relay/contracts/activities'
import type { Deal } from '@relay/contracts/pipeline'
import { describe, expect, it } from 'vitest'
import { followUps } from '../src/domain/automation.js'
import { buildDeal } from '../src/domain/deal.js'
import { dealFeatures, dealInsights, predict, train } from '../src/domain/insights.js'
import { DEFAULT_PIPELINE } from '../src/domain/pipeline.js'

const CREATED = '2026-06-01T00:00:00.000Z'
const NOW = '2026-11-01T00:00:00.000Z'
const DAY = 86_400_000

// A small deterministic PRNG (mulberry32) so the synthetic history is the same on every run.
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let seq = 0
function deal(over: Partial<Deal> = {}): Deal {
  const built = buildDeal(
    { name: 'D', amount: { amountMinor: 100000, currency: 'EUR' } },
    {
      id: `D${String(seq++).padStart(25, '0')}`,
      pipeline: DEFAULT_PIPELINE,
      products: new Map(),
      userId: 'u',
      now: CREATED,
    },
  )
  if ('problems' in built) throw new Error('bad deal')
  return { ...built.deal, ...over }
}
const activity = (dealId: string, type: Activity['type'], createdAt: string): Activity => ({
  id: `A${String(seq++).padStart(25, '0')}`,
  type,
  subject: type,
  relatedTo: { type: 'deal', id: dealId },
  ownerId: 'u',
  status: 'done',
  completedAt: createdAt,
  version: 1,
  createdAt,
  updatedAt: createdAt,
})

/** Closed deals whose outcome is decided by meetings (≥ 3 meetings wins), other features noise. */
function history(n: number, seed = 7) {
  const r = rng(seed)
  return Array.from({ length: n }, () => {
    const meetings = Math.floor(r() * 7)
    const emails = Math.floor(r() * 6)
    const closedAt = new Date(Date.parse(CREATED) + (30 + Math.floor(r() * 60)) * DAY).toISOString()
    const won = meetings >= 3
    const d = deal({
      status: won ? 'won' : 'lost',
      stageId: won ? 'won' : 'lost',
      closedAt,
      amount: { amountMinor: Math.floor(10_000 + r() * 1_000_000), currency: 'EUR' },
      stageHistory: [
        { stageId: 'qualification', enteredAt: CREATED, enteredBy: 'u' },
        {
          stageId: 'proposal',
          enteredAt: new Date(Date.parse(CREATED) + 10 * DAY).toISOString(),
          enteredBy: 'u',
        },
        { stageId: won ? 'won' : 'lost', enteredAt: closedAt, enteredBy: 'u' },
      ],
    } as Partial<Deal>)
    const acts = [
      ...Array.from({ length: meetings }, () =>
        activity(d.id, 'meeting', new Date(Date.parse(CREATED) + 5 * DAY).toISOString()),
      ),
      ...Array.from({ length: emails }, () =>
        activity(d.id, 'email', new Date(Date.parse(CREATED) + 6 * DAY).toISOString()),
      ),
    ]
    return { deal: d, activities: acts }
  })
}

const openDeal = (meetings: number) => {
  const d = deal({
    stageId: 'proposal',
    stageHistory: [
      { stageId: 'qualification', enteredAt: CREATED, enteredBy: 'u' },
      { stageId: 'proposal', enteredAt: '2026-10-20T00:00:00.000Z', enteredBy: 'u' },
    ],
  } as Partial<Deal>)
  const acts = [
    ...Array.from({ length: meetings }, () => activity(d.id, 'meeting', '2026-10-25T00:00:00.000Z')),
    activity(d.id, 'email', '2026-10-26T00:00:00.000Z'),
  ]
  return { deal: d, activities: acts }
}

describe('win-probability insight', () => {
  it('describes a closed deal as it stood before closing: its last open stage, not the outcome', () => {
    const [h] = history(1)
    const f = dealFeatures(h!.deal, DEFAULT_PIPELINE, h!.activities, h!.deal.closedAt!)
    expect(f.stageOrder).toBe(2) // proposal is the third open stage
    expect(f.meetingCount + f.emailCount).toBe(f.activityCount)
    expect(f.logAmount).toBeCloseTo(Math.log10(1 + (h!.deal.amount?.amountMinor ?? 0)))
  })

  it('learns that meetings win: many meetings → likely, none → unlikely, meetings the top factor', () => {
    // Prepare
    const past = history(80)
    // Act
    const many = dealInsights({ ...openDeal(6), pipeline: DEFAULT_PIPELINE, history: past, now: NOW })
    const none = dealInsights({ ...openDeal(0), pipeline: DEFAULT_PIPELINE, history: past, now: NOW })
    // Assess
    expect(many.method).toBe('logistic-regression')
    expect(many.trainedOn).toBe(80)
    expect(many.probability).toBeGreaterThan(0.85)
    expect(none.probability).toBeLessThan(0.15)
    expect(many.topFactors[0]).toMatchObject({ feature: 'meetingCount', value: 6 })
    expect(many.topFactors[0]!.contribution).toBeGreaterThan(0)
    expect(none.topFactors[0]!.contribution).toBeLessThan(0)
  })

  it('the model fits its training data: accuracy on the synthetic history above 90%', () => {
    const past = history(100, 11)
    const samples = past.map((h) => ({
      features: dealFeatures(h.deal, DEFAULT_PIPELINE, h.activities, h.deal.closedAt!),
      won: h.deal.status === 'won',
    }))
    const model = train(samples)
    const right = samples.filter((s) => predict(model, s.features).probability > 0.5 === s.won).length
    expect(right / samples.length).toBeGreaterThan(0.9)
    // The L2 penalty keeps weights finite even on separable data.
    expect(model.weights.every((w) => Number.isFinite(w) && Math.abs(w) < 20)).toBe(true)
  })

  it('with too little history falls back to the stage probability and says so', () => {
    const out = dealInsights({ ...openDeal(6), pipeline: DEFAULT_PIPELINE, history: history(12), now: NOW })
    expect(out).toMatchObject({
      method: 'stage-probability',
      probability: 0.5,
      trainedOn: 12,
      topFactors: [],
    })
    expect(out.reason).toContain('12 closed deals')
    // Enough deals but one outcome only: no model either.
    const allWon = history(40).filter((h) => h.deal.status === 'won')
    expect(
      dealInsights({ ...openDeal(1), pipeline: DEFAULT_PIPELINE, history: allWon, now: NOW }).method,
    ).toBe('stage-probability')
  })
})

describe('deal automation rules', () => {
  it('a rule fires for its stage (and pipeline), creating the follow-up for the deal owner N days later', () => {
    const d = deal({ ownerId: 'u-owner', stageId: 'proposal' } as Partial<Deal>)
    const rules = [
      { stageId: 'proposal', activity: { subject: 'Call back', dueInDays: 3, remindMinutesBefore: 60 } },
      { stageId: 'negotiation', activity: { subject: 'Other', dueInDays: 1 } },
      {
        stageId: 'proposal',
        pipelineId: '01JD3Y0C6Z8R4F2G9QK7WXN5TZ',
        activity: { subject: 'Elsewhere', dueInDays: 1 },
      },
    ]
    let n = 0
    const tasks = followUps(rules, d, 'proposal', { now: NOW, newId: () => `T${n++}`, userId: 'u-mover' })
    expect(tasks).toHaveLength(1)
    expect(tasks[0]).toMatchObject({
      type: 'task',
      subject: 'Call back',
      ownerId: 'u-owner',
      relatedTo: { type: 'deal', id: d.id },
      dueAt: '2026-11-04T00:00:00.000Z',
      reminderAt: '2026-11-03T23:00:00.000Z',
      status: 'open',
    })
  })
})
