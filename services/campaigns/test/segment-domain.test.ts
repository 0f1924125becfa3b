/** Segment evaluation (domain/segment.ts): every condition, the combinators, folding, and compile = matches. */
import { CreateSegment, type SegmentRule } from '@relay/contracts/campaigns'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AudienceRecord, emptyRecord } from '../src/domain/audience.js'
import { compile, fold, matches } from '../src/domain/segment.js'

const NOW = Date.parse('2026-06-30T12:00:00.000Z')
const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString()

const ann: AudienceRecord = {
  ...emptyRecord('01JD3Y0C6Z8R4F2G9QK7WXN5TB'),
  email: 'ann@acme.io',
  firstName: 'Élodie',
  lastName: 'Nguyễn',
  companyName: 'ACME Ltd',
  tags: ['VIP', 'newsletter'],
  lifecycleStage: 'customer',
  tier: 'A',
  customFields: { shoeSize: 41, plan: 'pro', interests: ['golf', 'tennis'], renewal: '2026-09-01' },
  consent: { email: 'granted', sms: 'withdrawn' },
  engagement: { opened: daysAgo(3), sent: daysAgo(3) },
}
const bob: AudienceRecord = { ...emptyRecord('01JD3Y0C6Z8R4F2G9QK7WXN5TC'), email: 'bob@other.org' }

const is = (rule: SegmentRule, rec: AudienceRecord = ann) => matches(rule, rec, NOW)

describe('segment conditions', () => {
  it('compares contact fields folded: case, accents and width ignored', () => {
    expect(fold('ÉLODIE')).toBe('elodie')
    expect(is({ type: 'field', field: 'firstName', op: 'eq', value: 'elodie' })).toBe(true)
    expect(is({ type: 'field', field: 'lastName', op: 'startsWith', value: 'NGUYEN' })).toBe(true)
    expect(is({ type: 'field', field: 'email', op: 'endsWith', value: '@ACME.IO' })).toBe(true)
    expect(is({ type: 'field', field: 'companyName', op: 'contains', value: 'acme' })).toBe(true)
    expect(is({ type: 'field', field: 'companyName', op: 'in', values: ['Globex', 'acme ltd'] })).toBe(true)
    expect(is({ type: 'field', field: 'companyName', op: 'neq', value: 'ACME LTD' })).toBe(false)
  })

  it('treats a field the contact lacks as no value: only neq and notExists hold', () => {
    expect(is({ type: 'field', field: 'jobTitle', op: 'eq', value: 'x' })).toBe(false)
    expect(is({ type: 'field', field: 'jobTitle', op: 'neq', value: 'x' })).toBe(true)
    expect(is({ type: 'field', field: 'jobTitle', op: 'notExists' })).toBe(true)
    expect(is({ type: 'field', field: 'jobTitle', op: 'exists' })).toBe(false)
    expect(is({ type: 'field', field: 'email', op: 'exists' })).toBe(true)
  })

  it('tests tags case-insensitively: hasAny, hasAll, hasNone', () => {
    expect(is({ type: 'tag', op: 'hasAny', values: ['vip', 'x'] })).toBe(true)
    expect(is({ type: 'tag', op: 'hasAll', values: ['vip', 'Newsletter'] })).toBe(true)
    expect(is({ type: 'tag', op: 'hasAll', values: ['vip', 'x'] })).toBe(false)
    expect(is({ type: 'tag', op: 'hasNone', values: ['vip'] })).toBe(false)
    expect(is({ type: 'tag', op: 'hasNone', values: ['vip'] }, bob)).toBe(true)
  })

  it('tests consent per channel, `none` for a channel never recorded', () => {
    expect(is({ type: 'consent', channel: 'email', status: 'granted' })).toBe(true)
    expect(is({ type: 'consent', channel: 'sms', status: 'withdrawn' })).toBe(true)
    expect(is({ type: 'consent', channel: 'phone', status: 'none' })).toBe(true)
    expect(is({ type: 'consent', channel: 'email', status: 'none' }, bob)).toBe(true)
    expect(is({ type: 'consent', channel: 'email', status: 'granted' }, bob)).toBe(false)
  })

  it('tests lifecycle stage and tier with in / notIn (a contact without one is notIn anything)', () => {
    expect(is({ type: 'lifecycle', op: 'in', values: ['lead', 'customer'] })).toBe(true)
    expect(is({ type: 'lifecycle', op: 'notIn', values: ['customer'] })).toBe(false)
    expect(is({ type: 'lifecycle', op: 'notIn', values: ['customer'] }, bob)).toBe(true)
    expect(is({ type: 'tier', op: 'in', values: ['A'] })).toBe(true)
    expect(is({ type: 'tier', op: 'in', values: ['B', 'C'] })).toBe(false)
  })

  it('tests engagement windows: within n days, and not within (never counts as not within)', () => {
    expect(is({ type: 'engagement', event: 'opened', op: 'within', days: 30 })).toBe(true)
    expect(is({ type: 'engagement', event: 'opened', op: 'within', days: 2 })).toBe(false)
    expect(is({ type: 'engagement', event: 'clicked', op: 'within', days: 30 })).toBe(false)
    expect(is({ type: 'engagement', event: 'opened', op: 'notWithin', days: 90 })).toBe(false)
    expect(is({ type: 'engagement', event: 'opened', op: 'notWithin', days: 90 }, bob)).toBe(true)
    // The window's edge belongs to it.
    const edge = { ...bob, engagement: { opened: daysAgo(30) } }
    expect(is({ type: 'engagement', event: 'opened', op: 'within', days: 30 }, edge)).toBe(true)
  })

  it('tests custom fields: numbers and ISO dates ordered, multiselect values one by one', () => {
    expect(is({ type: 'custom', key: 'shoeSize', op: 'gte', value: 41 })).toBe(true)
    expect(is({ type: 'custom', key: 'shoeSize', op: 'gt', value: '41' })).toBe(false)
    expect(is({ type: 'custom', key: 'renewal', op: 'lt', value: '2026-12-31' })).toBe(true)
    expect(is({ type: 'custom', key: 'renewal', op: 'gt', value: '2026-12-31' })).toBe(false)
    expect(is({ type: 'custom', key: 'plan', op: 'eq', value: 'PRO' })).toBe(true)
    expect(is({ type: 'custom', key: 'plan', op: 'lt', value: 5 })).toBe(false)
    expect(is({ type: 'custom', key: 'interests', op: 'eq', value: 'golf' })).toBe(true)
    expect(is({ type: 'custom', key: 'interests', op: 'neq', value: 'golf' })).toBe(false)
    expect(is({ type: 'custom', key: 'interests', op: 'in', values: ['chess', 'tennis'] })).toBe(true)
    expect(is({ type: 'custom', key: 'missing', op: 'notExists' })).toBe(true)
    expect(is({ type: 'custom', key: 'missing', op: 'eq', value: 'x' })).toBe(false)
  })
})

describe('rule trees', () => {
  const vip: SegmentRule = { type: 'tag', op: 'hasAny', values: ['vip'] }
  const opened: SegmentRule = { type: 'engagement', event: 'opened', op: 'within', days: 30 }

  it('combines with and / or / not', () => {
    expect(is({ type: 'and', rules: [vip, opened] })).toBe(true)
    expect(is({ type: 'and', rules: [vip, opened] }, bob)).toBe(false)
    expect(
      is({ type: 'or', rules: [vip, { type: 'field', field: 'email', op: 'endsWith', value: '.org' }] }, bob),
    ).toBe(true)
    expect(is({ type: 'not', rule: vip })).toBe(false)
    expect(is({ type: 'not', rule: { type: 'not', rule: vip } })).toBe(true)
  })

  // Random records and rule trees: the compiled rule agrees with the plain evaluation, and `not`
  // is always the opposite.
  const text = fc.constantFrom('vip', 'VIP', 'newsletter', 'golf', 'Élodie', 'acme', '')
  const record = fc.record({
    email: fc.option(fc.constantFrom('a@acme.io', 'b@x.org'), { nil: undefined }),
    firstName: fc.option(text, { nil: undefined }),
    tags: fc.array(text, { maxLength: 3 }),
    lifecycleStage: fc.option(fc.constantFrom('lead', 'customer'), { nil: undefined }),
    tier: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }),
    plan: fc.option(fc.oneof(text, fc.integer({ min: 0, max: 5 })), { nil: undefined }),
    email_consent: fc.option(fc.constantFrom('granted' as const, 'withdrawn' as const), { nil: undefined }),
    opened: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
  })
  const leaf: fc.Arbitrary<SegmentRule> = fc.oneof(
    fc.record({
      type: fc.constant('tag' as const),
      op: fc.constantFrom('hasAny' as const, 'hasAll' as const, 'hasNone' as const),
      values: fc.array(text, { minLength: 1, maxLength: 2 }),
    }),
    fc
      .record({
        type: fc.constant('field' as const),
        field: fc.constant('firstName' as const),
        op: fc.constantFrom('eq' as const, 'neq' as const, 'contains' as const, 'exists' as const),
        value: text,
      })
      .map((r) => (r.op === 'exists' ? { type: r.type, field: r.field, op: r.op } : r)),
    fc.record({
      type: fc.constant('engagement' as const),
      event: fc.constant('opened' as const),
      op: fc.constantFrom('within' as const, 'notWithin' as const),
      days: fc.integer({ min: 1, max: 100 }),
    }),
    fc
      .record({
        type: fc.constant('custom' as const),
        key: fc.constant('plan'),
        op: fc.constantFrom('eq' as const, 'gt' as const, 'exists' as const),
        value: fc.oneof(text, fc.integer({ min: 0, max: 5 })),
      })
      .map((r) => (r.op === 'exists' ? { type: r.type, key: r.key, op: r.op } : r)),
    fc.record({
      type: fc.constant('consent' as const),
      channel: fc.constant('email' as const),
      status: fc.constantFrom('granted' as const, 'none' as const),
    }),
  )
  const tree = fc.letrec<{ rule: SegmentRule }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({
        type: fc.constant('and' as const),
        rules: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({
        type: fc.constant('or' as const),
        rules: fc.array(tie('rule'), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({ type: fc.constant('not' as const), rule: tie('rule') }),
    ),
  })).rule

  it('compiled once, answers as the plain evaluation; not is always the opposite', () => {
    fc.assert(
      fc.property(tree, record, (rule, r) => {
        const rec: AudienceRecord = {
          ...emptyRecord('C'),
          ...(r.email ? { email: r.email } : {}),
          ...(r.firstName !== undefined ? { firstName: r.firstName } : {}),
          tags: r.tags,
          ...(r.lifecycleStage ? { lifecycleStage: r.lifecycleStage } : {}),
          ...(r.tier ? { tier: r.tier } : {}),
          ...(r.plan !== undefined ? { customFields: { plan: r.plan } } : {}),
          consent: r.email_consent ? { email: r.email_consent } : {},
          engagement: r.opened !== undefined ? { opened: daysAgo(r.opened) } : {},
        }
        const plain = matches(rule, rec, NOW)
        expect(compile(rule)(rec, NOW)).toBe(plain)
        expect(matches({ type: 'not', rule }, rec, NOW)).toBe(!plain)
      }),
      { numRuns: 300 },
    )
  })

  it('refuses at the schema what the evaluation could not take: bad operands, too deep, too many nodes', () => {
    const body = (rule: unknown) => CreateSegment.safeParse({ name: 'S', rule })
    expect(body({ type: 'field', field: 'email', op: 'in', value: 'x' }).success).toBe(false)
    expect(body({ type: 'field', field: 'email', op: 'exists', value: 'x' }).success).toBe(false)
    expect(body({ type: 'field', field: 'password', op: 'eq', value: 'x' }).success).toBe(false)
    expect(body({ type: 'and', rules: [] }).success).toBe(false)
    let deep: unknown = vip
    for (let i = 0; i < 6; i++) deep = { type: 'not', rule: deep }
    expect(body(deep).success).toBe(false)
    let ok: unknown = vip
    for (let i = 0; i < 5; i++) ok = { type: 'not', rule: ok }
    expect(body(ok).success).toBe(true)
    // 10 000 levels: refused by the bound, before the recursive schema could overflow the stack.
    const hostile = JSON.parse(`${'{"type":"not","rule":'.repeat(10_000)}{}${'}'.repeat(10_000)}`)
    expect(body(hostile).success).toBe(false)
    expect(body({ type: 'or', rules: Array.from({ length: 101 }, () => vip) }).success).toBe(false)
  })
})
