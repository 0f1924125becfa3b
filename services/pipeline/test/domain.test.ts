import { LeadConvertedV1 } from '@relay/contracts/leads'
import { CurrencyCode, minorUnitsOf } from '@relay/contracts/money'
import type { Deal, Pipeline, Product, Stage } from '@relay/contracts/pipeline'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyDealPatch,
  buildDeal,
  diffDeals,
  moveDealStage,
  priceLineItems,
  timeInStages,
} from '../src/domain/deal.js'
import { computeForecast, periodRange } from '../src/domain/forecast.js'
import { applyLeadPatch, buildLead, convertLead, ruleMatches, scoreLead } from '../src/domain/lead.js'
import {
  add,
  convert,
  lineTotalMinor,
  parseDecimal,
  roundHalfEven,
  sumMinor,
  whole,
} from '../src/domain/money.js'
import { DEFAULT_PIPELINE, stageProblems } from '../src/domain/pipeline.js'

const NOW = '2026-11-01T10:00:00.000Z'
const LATER = '2026-11-03T10:00:00.000Z'
const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const PRODUCT_ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TC'

const product = (over: Partial<Product> = {}): Product => ({
  id: PRODUCT_ID,
  name: 'Pro',
  sku: 'PRO',
  unitPrice: { amountMinor: 1999, currency: 'EUR' },
  active: true,
  version: 1,
  createdAt: NOW,
  updatedAt: NOW,
  ...over,
})

const newDeal = (over: Partial<Parameters<typeof buildDeal>[0]> = {}): Deal => {
  const built = buildDeal(
    { name: 'Deal', amount: { amountMinor: 10000, currency: 'EUR' }, ...over },
    { id: ID, pipeline: DEFAULT_PIPELINE, products: new Map(), userId: 'u-1', now: NOW },
  )
  if ('problems' in built) throw new Error(JSON.stringify(built.problems))
  return built.deal
}

describe('stage rules', () => {
  it('accepts the default pipeline', () => {
    expect(stageProblems(DEFAULT_PIPELINE.stages)).toEqual([])
  })

  it('names a duplicate stage id, a missing lost stage, and an open stage after the closing ones', () => {
    // Prepare
    const stages: Stage[] = [
      { id: 'a', name: 'A', probability: 10, forecastCategory: 'pipeline' },
      { id: 'a', name: 'A again', probability: 20, forecastCategory: 'pipeline' },
      { id: 'won', name: 'Won', probability: 100, forecastCategory: 'closed', outcome: 'won' },
      { id: 'late', name: 'Late', probability: 30, forecastCategory: 'commit' },
    ]
    // Act
    const problems = stageProblems(stages)
    // Assess
    expect(problems.map((p) => `${p.field}:${p.code}`)).toEqual(
      expect.arrayContaining(['stages.1.id:duplicate', 'stages:lost_stage', 'stages.3:order']),
    )
  })

  it('requires the won stage at 100% closed and the lost stage at 0% omitted', () => {
    const stages: Stage[] = [
      { id: 'a', name: 'A', probability: 10, forecastCategory: 'closed' },
      { id: 'won', name: 'Won', probability: 90, forecastCategory: 'closed', outcome: 'won' },
      { id: 'lost', name: 'Lost', probability: 0, forecastCategory: 'pipeline', outcome: 'lost' },
    ]
    expect(stageProblems(stages).map((p) => p.field)).toEqual([
      'stages.0.forecastCategory',
      'stages.1',
      'stages.2',
    ])
  })

  it('refuses two won stages', () => {
    const stages: Stage[] = [
      ...DEFAULT_PIPELINE.stages,
      { id: 'won2', name: 'Won too', probability: 100, forecastCategory: 'closed', outcome: 'won' },
    ]
    expect(stageProblems(stages).map((p) => p.code)).toContain('won_stage')
  })
})

describe('money, exact and float-free', () => {
  it('knows ISO 4217 minor units and rejects unknown codes', () => {
    expect([minorUnitsOf('EUR'), minorUnitsOf('JPY'), minorUnitsOf('KWD'), minorUnitsOf('CLF')]).toEqual([
      2, 0, 3, 4,
    ])
    expect(minorUnitsOf('XXX')).toBeUndefined()
    expect(CurrencyCode.safeParse('EUR').success).toBe(true)
    expect(CurrencyCode.safeParse('eur').success).toBe(false)
    expect(CurrencyCode.safeParse('ABC').success).toBe(false)
  })

  it('parses decimal rates exactly', () => {
    expect(parseDecimal('0.1')).toEqual({ num: 1n, den: 10n })
    expect(parseDecimal('1.50')).toEqual({ num: 3n, den: 2n })
  })

  it('rounds half to even', () => {
    expect(roundHalfEven({ num: 5n, den: 2n })).toBe(2)
    expect(roundHalfEven({ num: 7n, den: 2n })).toBe(4)
    expect(roundHalfEven({ num: 251n, den: 100n })).toBe(3)
    expect(roundHalfEven({ num: 249n, den: 100n })).toBe(2)
  })

  it('converts across currencies with different minor units', () => {
    // 1000 JPY (0 decimals) at 0.0062 EUR → 6.20 EUR = 620 cents
    expect(roundHalfEven(convert(1000, 'JPY', 'EUR', parseDecimal('0.0062')))).toBe(620)
    // 1.000 KWD (3 decimals) = 1000 fils at 3.25 USD → 325 cents
    expect(roundHalfEven(convert(1000, 'KWD', 'USD', parseDecimal('3.25')))).toBe(325)
    // 10.00 EUR at 162.5 JPY → 1625 yen
    expect(roundHalfEven(convert(1000, 'EUR', 'JPY', parseDecimal('162.5')))).toBe(1625)
  })

  it('where floats drift, the exact sum does not: 0.1 + 0.2 of a unit at rate 0.1', () => {
    const total = add(
      convert(1, 'EUR', 'EUR', parseDecimal('0.1')),
      convert(2, 'EUR', 'EUR', parseDecimal('0.1')),
    )
    expect(total).toEqual({ num: 3n, den: 10n })
    expect(0.1 * 1 + 0.1 * 2).not.toBe(0.3)
  })

  it('line totals apply quantity and discount, rounding once', () => {
    expect(lineTotalMinor(3, 1999, 0)).toBe(5997)
    expect(lineTotalMinor(1, 1999, 10)).toBe(1799) // 1799.1 → 1799
    expect(lineTotalMinor(1, 5, 50)).toBe(2) // 2.5 → 2 (half to even)
  })

  it('refuses sums beyond the safe integer range', () => {
    expect(() => sumMinor([Number.MAX_SAFE_INTEGER, 1])).toThrow(RangeError)
  })

  it('conversion is exact: converting there and back at reciprocal rates gives the amount back', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000_000 }), (n) => {
        const there = convert(n, 'EUR', 'EUR', parseDecimal('0.8'))
        const back = { num: there.num * 5n, den: there.den * 4n }
        return roundHalfEven(back) === n && roundHalfEven(whole(n)) === n
      }),
    )
  })
})

describe('deals', () => {
  it('starts in the first open stage of the default pipeline, owned by the caller, with history', () => {
    const deal = newDeal()
    expect(deal).toMatchObject({ stageId: 'qualification', status: 'open', ownerId: 'u-1', version: 1 })
    expect(deal.stageHistory).toEqual([{ stageId: 'qualification', enteredAt: NOW, enteredBy: 'u-1' }])
  })

  it('prices line items from the catalogue and refuses mixed currencies and unknown products', () => {
    const products = new Map([
      [PRODUCT_ID, product()],
      [ID, product({ id: ID, unitPrice: { amountMinor: 500, currency: 'USD' } })],
    ])
    const ok = priceLineItems([{ productId: PRODUCT_ID, quantity: 2, discountPercent: 10 }], products)
    expect(ok).toEqual({
      ok: {
        lineItems: [expect.objectContaining({ totalMinor: 3598, unitPriceMinor: 1999, currency: 'EUR' })],
        amount: { amountMinor: 3598, currency: 'EUR' },
      },
    })
    const mixed = priceLineItems(
      [
        { productId: PRODUCT_ID, quantity: 1 },
        { productId: ID, quantity: 1 },
      ],
      products,
    )
    expect(mixed).toEqual({ problems: [expect.objectContaining({ code: 'mixed_currencies' })] })
    const unknown = priceLineItems([{ productId: '01JD3Y0C6Z8R4F2G9QK7WXN5TD', quantity: 1 }], products)
    expect(unknown).toEqual({ problems: [expect.objectContaining({ field: 'lineItems.0.productId' })] })
  })

  it('refuses to start in a closing stage', () => {
    const built = buildDeal(
      { name: 'X', stageId: 'won' },
      { id: ID, pipeline: DEFAULT_PIPELINE, products: new Map(), userId: 'u', now: NOW },
    )
    expect(built).toEqual({ problems: [expect.objectContaining({ field: 'stageId', code: 'closed_stage' })] })
  })

  it('records stage moves with who and when, and time in each stage', () => {
    // Prepare
    const deal = newDeal()
    // Act
    const moved = moveDealStage(
      deal,
      DEFAULT_PIPELINE,
      { stageId: 'proposal' },
      { userId: 'u-2', now: LATER },
    )
    // Assess
    if (!moved || 'problems' in moved) throw new Error('expected a move')
    expect(moved.msInPreviousStage).toBe(2 * 24 * 3600 * 1000)
    expect(moved.deal.stageHistory).toEqual([
      { stageId: 'qualification', enteredAt: NOW, enteredBy: 'u-1', leftAt: LATER },
      { stageId: 'proposal', enteredAt: LATER, enteredBy: 'u-2' },
    ])
    expect(moved.deal.version).toBe(2)
    expect(timeInStages(moved.deal.stageHistory, '2026-11-04T10:00:00.000Z')).toEqual({
      qualification: 2 * 86_400_000,
      proposal: 86_400_000,
    })
  })

  it('closes as won or lost (lost needs a reason), and reopens', () => {
    const deal = newDeal()
    expect(moveDealStage(deal, DEFAULT_PIPELINE, { stageId: 'lost' }, { userId: 'u', now: LATER })).toEqual({
      problems: [expect.objectContaining({ field: 'reason' })],
    })
    const lost = moveDealStage(
      deal,
      DEFAULT_PIPELINE,
      { stageId: 'lost', reason: 'Budget' },
      { userId: 'u', now: LATER },
    )
    if (!lost || 'problems' in lost) throw new Error('expected a move')
    expect(lost.outcome).toBe('lost')
    expect(lost.deal).toMatchObject({
      status: 'lost',
      closedReason: 'Budget',
      closedAt: LATER,
      closeDate: '2026-11-03',
    })
    const reopened = moveDealStage(
      lost.deal,
      DEFAULT_PIPELINE,
      { stageId: 'proposal' },
      { userId: 'u', now: LATER },
    )
    if (!reopened || 'problems' in reopened) throw new Error('expected a move')
    expect(reopened.deal.status).toBe('open')
    expect(reopened.deal.closedReason).toBeUndefined()
    expect(
      moveDealStage(deal, DEFAULT_PIPELINE, { stageId: 'qualification' }, { userId: 'u', now: LATER }),
    ).toBe(undefined)
    expect(moveDealStage(deal, DEFAULT_PIPELINE, { stageId: 'nope' }, { userId: 'u', now: LATER })).toEqual({
      problems: [expect.objectContaining({ code: 'unknown_stage' })],
    })
  })

  it('patches: null clears, amount replaces line items, and the diff names what changed', () => {
    const deal = newDeal({ closeDate: '2026-12-01' })
    const patched = applyDealPatch(
      deal,
      { closeDate: null, name: 'Renamed' },
      { products: new Map(), now: LATER },
    )
    if ('problems' in patched) throw new Error('unexpected')
    expect(patched.deal.closeDate).toBeUndefined()
    expect(diffDeals(deal, patched.deal)).toEqual({
      name: { before: 'Deal', after: 'Renamed' },
      closeDate: { before: '2026-12-01' },
    })
  })
})

describe('lead scoring and conversion', () => {
  const rules = [
    { field: 'source' as const, operator: 'eq' as const, value: 'Referral', points: 30 },
    { field: 'employees' as const, operator: 'gte' as const, value: 200, points: 25 },
    { field: 'title' as const, operator: 'contains' as const, value: 'cto', points: 20 },
    { field: 'email' as const, operator: 'exists' as const, points: 10 },
    { field: 'country' as const, operator: 'neq' as const, value: 'GB', points: -5 },
  ]

  it('adds the points of every matching rule (case-insensitive), clamped to 0..100', () => {
    expect(
      scoreLead({ source: 'referral', employees: 250, title: 'CTO', email: 'a@b.io', country: 'GB' }, rules),
    ).toBe(85)
    expect(scoreLead({ source: 'web', country: 'JP' }, rules)).toBe(0)
    expect(scoreLead({}, [{ field: 'email', operator: 'exists', points: 100 }, ...rules])).toBe(0)
  })

  it('gte and lte need numbers on both sides', () => {
    expect(
      ruleMatches({ employees: 10 }, { field: 'employees', operator: 'lte', value: 10, points: 1 }),
    ).toBe(true)
    expect(ruleMatches({ title: 'x' }, { field: 'title', operator: 'gte', value: 1, points: 1 })).toBe(false)
  })

  it('recomputes the score on every write', () => {
    const lead = buildLead({ lastName: 'Lee', source: 'web' }, { id: ID, userId: 'u', now: NOW, rules })
    expect(lead.score).toBe(0)
    const next = applyLeadPatch(lead, { source: 'referral', email: 'lee@example.com' }, { now: LATER, rules })
    // referral 30 + email 10 - 5 (country unknown is "not GB")
    expect(next.score).toBe(35)
    expect(applyLeadPatch(next, { email: null }, { now: LATER, rules }).score).toBe(25)
  })

  it('conversion carries the contact data and the ids chosen up front', () => {
    const lead = buildLead(
      { firstName: 'Aiko', lastName: '田中', email: 'aiko@example.jp', source: 'event', campaign: 'Expo' },
      { id: ID, userId: 'u-7', now: NOW, rules: [] },
    )
    const { lead: converted, event } = convertLead(lead, {
      contactId: 'C1',
      dealId: 'D1',
      userId: 'u-8',
      now: LATER,
    })
    expect(converted).toMatchObject({
      status: 'converted',
      conversion: { contactId: 'C1', dealId: 'D1' },
      version: 2,
    })
    expect(event).toEqual({
      leadId: ID,
      contactId: 'C1',
      dealId: 'D1',
      contact: { firstName: 'Aiko', lastName: '田中', email: 'aiko@example.jp', ownerId: 'u-7' },
      source: 'event',
      campaign: 'Expo',
    })
  })

  it("conversion carries a national phone as typed with the lead's country, the region to read it in", () => {
    const lead = buildLead(
      { lastName: 'Jaidee', phone: '081 234 5678', country: 'TH', source: 'web' },
      { id: ID, userId: 'u-7', now: NOW, rules: [] },
    )
    const { event } = convertLead(lead, { contactId: 'C1', userId: 'u-8', now: LATER })
    expect(event.contact).toEqual({
      lastName: 'Jaidee',
      phone: '081 234 5678',
      country: 'TH',
      ownerId: 'u-7',
    })
    expect(LeadConvertedV1.parse(event).contact).toMatchObject({ phone: '081 234 5678', country: 'TH' })
  })
})

describe('forecast', () => {
  const pipelines = new Map<string, Pipeline>([[DEFAULT_PIPELINE.id, DEFAULT_PIPELINE]])
  const deal = (over: Partial<Deal>): Deal => ({ ...newDeal(), closeDate: '2026-11-15', ...over })

  it('computes the period bounds', () => {
    expect(periodRange('2026-Q4')).toEqual({ from: '2026-10-01', to: '2026-12-31' })
    expect(periodRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' })
    expect(periodRange('2026')).toEqual({ from: '2026-01-01', to: '2026-12-31' })
  })

  it('buckets per owner and in total, across currencies, in the base currency', () => {
    // Prepare: EUR base; USD at 0.92, JPY at 0.0061
    const deals = [
      deal({
        id: 'W',
        ownerId: 'ann',
        status: 'won',
        stageId: 'won',
        amount: { amountMinor: 100000, currency: 'EUR' },
      }),
      deal({
        id: 'C',
        ownerId: 'ann',
        stageId: 'negotiation',
        amount: { amountMinor: 50000, currency: 'USD' },
      }),
      deal({
        id: 'B',
        ownerId: 'bob',
        stageId: 'proposal',
        amount: { amountMinor: 1000000, currency: 'JPY' },
      }),
      deal({ id: 'P', ownerId: 'bob', stageId: 'discovery', amount: { amountMinor: 333, currency: 'EUR' } }),
      deal({
        id: 'L',
        ownerId: 'bob',
        status: 'lost',
        stageId: 'lost',
        amount: { amountMinor: 999999, currency: 'EUR' },
      }),
      deal({ id: 'X', ownerId: 'cy', stageId: 'proposal', amount: { amountMinor: 100, currency: 'GBP' } }),
    ]
    // Act
    const f = computeForecast({
      period: '2026-Q4',
      deals,
      pipelines,
      currencies: {
        baseCurrency: 'EUR',
        rates: [
          { currency: 'USD', rate: '0.92' },
          { currency: 'JPY', rate: '0.0061' },
        ],
      },
      quotas: { quotas: [{ ownerId: 'ann', amount: { amountMinor: 200000, currency: 'USD' } }] },
    })
    // Assess: ann: won 1000.00; commit +500 USD = 460.00 EUR; weighted 460 × 0.8 = 368.00; quota 2000 USD = 1840 EUR
    expect(f.currency).toBe('EUR')
    expect(f.owners.find((o) => o.ownerId === 'ann')).toEqual({
      ownerId: 'ann',
      closedWon: 100000,
      commit: 146000,
      bestCase: 146000,
      pipeline: 0,
      weighted: 36800,
      quota: 184000,
      deals: 2,
    })
    // bob: 1 000 000 JPY × 0.0061 = 6100.00 EUR best case, weighted 50% = 3050.00; 3.33 EUR pipeline at 25% = 0.8325 → 0.83
    expect(f.owners.find((o) => o.ownerId === 'bob')).toEqual({
      ownerId: 'bob',
      closedWon: 0,
      commit: 0,
      bestCase: 610000,
      pipeline: 333,
      weighted: 305083,
      deals: 2,
    })
    expect(f.total).toMatchObject({
      closedWon: 100000,
      commit: 146000,
      bestCase: 756000,
      weighted: 341883,
      quota: 184000,
    })
    expect(f.missingRates).toEqual(['GBP'])
    expect(f.owners.map((o) => o.ownerId)).toEqual(['ann', 'bob'])
  })

  it('rounds each reported figure once: two half-cents make a cent', () => {
    const deals = [
      deal({ id: 'A', ownerId: 'a', stageId: 'proposal', amount: { amountMinor: 1, currency: 'EUR' } }),
      deal({ id: 'B', ownerId: 'b', stageId: 'proposal', amount: { amountMinor: 1, currency: 'EUR' } }),
    ]
    const f = computeForecast({
      period: '2026-Q4',
      deals,
      pipelines,
      currencies: { baseCurrency: 'EUR', rates: [] },
    })
    expect(f.owners.map((o) => o.weighted)).toEqual([0, 0]) // 0.5 → 0 each (half to even)
    expect(f.total.weighted).toBe(1) // 0.5 + 0.5 = 1, rounded once
  })
})
