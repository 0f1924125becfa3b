import { describe, expect, it } from 'vitest'
import {
  compilePattern,
  InvalidPatternError,
  matches,
  parsePattern,
  validatePattern,
} from '../src/bus/pattern.js'

const event = (detail: unknown) => ({
  version: '0',
  id: '1',
  'detail-type': 'contact.created',
  source: 'crm.contacts',
  account: '123456789012',
  time: '2024-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
})

describe('pattern matcher beyond the conformance vectors', () => {
  it('requires fields inside array elements to match in the same element (array consistency)', () => {
    // Prepare
    const pattern = { detail: { items: { sku: ['A'], qty: [2] } } }

    // Act + Assess
    expect(
      matches(
        pattern,
        event({
          items: [
            { sku: 'A', qty: 1 },
            { sku: 'B', qty: 2 },
          ],
        }),
      ),
    ).toBe(false)
    expect(
      matches(
        pattern,
        event({
          items: [
            { sku: 'B', qty: 1 },
            { sku: 'A', qty: 2 },
          ],
        }),
      ),
    ).toBe(true)
  })

  it('keeps the last list of a repeated field, as EventBridge does', () => {
    // Prepare
    const pattern = parsePattern('{"detail": {"state": ["open"], "state": ["closed"]}}')

    // Act + Assess
    expect(matches(pattern, event({ state: 'closed' }))).toBe(true)
    expect(matches(pattern, event({ state: 'open' }))).toBe(false)
  })

  it('merges a repeated object key instead of dropping the first object', () => {
    // Prepare: JSON.parse would keep only {"b": ...}; event-ruler reads both.
    const pattern = parsePattern('{"detail": {"a": ["x"]}, "detail": {"b": ["y"]}}')

    // Act + Assess
    expect(pattern).toEqual({ detail: { a: ['x'], b: ['y'] } })
    expect(matches(pattern, event({ a: 'x', b: 'y' }))).toBe(true)
    expect(matches(pattern, event({ b: 'y' }))).toBe(false)
  })

  it('makes a repeated $or a further condition: both must hold', () => {
    // Prepare
    const pattern = parsePattern(
      '{"detail": {"$or": [{"a": [1]}, {"b": [1]}], "$or": [{"c": [1]}, {"d": [1]}]}}',
    )

    // Act + Assess
    expect(matches(pattern, event({ b: 1, c: 1 }))).toBe(true)
    expect(matches(pattern, event({ a: 1, d: 1 }))).toBe(true)
    expect(matches(pattern, event({ a: 1, b: 1 }))).toBe(false)
    expect(matches(pattern, event({ c: 1, d: 1 }))).toBe(false)
  })

  it.each([
    ['{"a": ["x"]', 'unclosed object'],
    ['{"a": ["x"]} x', 'trailing text'],
    ["{'a': ['x']}", 'single quotes'],
    ['{"a": [01]}', 'leading zero'],
    ['{"a": ["\\q"]}', 'bad escape'],
    [`${'['.repeat(200)}${']'.repeat(200)}`, 'absurd nesting'],
  ])('rejects malformed JSON text %j (%s) with InvalidPatternError', (text) => {
    expect(() => parsePattern(text)).toThrow(InvalidPatternError)
  })

  it('reads a field named __proto__ as a field, not a prototype', () => {
    // Prepare
    const pattern = parsePattern('{"detail": {"__proto__": ["x"]}}')

    // Act + Assess
    expect(Object.keys(pattern.detail as object)).toEqual(['__proto__'])
    expect(matches(pattern, event(JSON.parse('{"__proto__": "x"}')))).toBe(true)
    expect(matches(pattern, event({ other: 'x' }))).toBe(false)
  })

  it('compares numbers to six decimals within +-5e9, as event-ruler does', () => {
    // Prepare
    const range = compilePattern({ detail: { n: [{ numeric: ['>', 0.1234567, '<', 1] }] } })
    const exact = compilePattern({ detail: { n: [300] } })

    // Act + Assess
    expect(range(event({ n: 0.1234569 }))).toBe(false)
    expect(range(event({ n: 0.123458 }))).toBe(true)
    expect(exact(event({ n: 3.0e2 }))).toBe(true)
    expect(exact(event({ n: 300.0000001 }))).toBe(true)
    expect(exact(event({ n: 300.000001 }))).toBe(false)
    expect(matches({ detail: { n: [{ 'anything-but': 1.0000001 }] } }, event({ n: 1 }))).toBe(false)
  })

  it('accepts ordinary wildcard sets within the complexity limit', () => {
    for (const pattern of [
      { a: [{ wildcard: '*.bif' }, { wildcard: '*.tiff' }, { wildcard: '*.tif' }, { wildcard: '*.svs' }] },
      { a: [{ wildcard: 'arn:aws:events:*:*:event-bus/*' }] },
      { a: [{ 'anything-but': { wildcard: ['*/init/*', '*/dir/*', '*/lib/*'] } }] },
    ]) {
      expect(() => validatePattern(pattern)).not.toThrow()
    }
  })

  it('matches an exact IP address in any spelling of that address', () => {
    // Prepare
    const match = compilePattern({ detail: { ip: ['2001:db8::1', '10.0.0.1'] } })

    // Act + Assess
    expect(match(event({ ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }))).toBe(true)
    expect(match(event({ ip: '10.0.0.1' }))).toBe(true)
    expect(match(event({ ip: '2001:db8::2' }))).toBe(false)
  })

  it('lets a field in an $or branch replace the same field outside it, as event-ruler does', () => {
    // Prepare
    const pattern = { detail: { tier: ['gold'], $or: [{ tier: ['silver'] }, { vip: [true] }] } }

    // Act + Assess
    expect(matches(pattern, event({ tier: 'silver' }))).toBe(true)
    expect(matches(pattern, event({ tier: 'gold', vip: true }))).toBe(true)
    expect(matches(pattern, event({ tier: 'gold' }))).toBe(false)
  })

  it('says where and why a pattern is invalid', () => {
    // Act
    const attempt = () => validatePattern({ detail: { state: ['ok', { prefix: 1 }] } })

    // Assess
    expect(attempt).toThrow(InvalidPatternError)
    expect(attempt).toThrow(/detail\.state\[1\]\.prefix: prefix match pattern must be a string/)
    try {
      attempt()
    } catch (err) {
      expect((err as InvalidPatternError).path).toBe('detail.state[1].prefix')
    }
  })

  it.each<[unknown, string]>([
    [{}, 'empty top level'],
    [[], 'array pattern'],
    [null, 'null pattern'],
    [{ detail: {} }, 'empty nested object'],
    [{ source: [['a']] }, 'nested array'],
    [{ $or: [{ a: ['x'] }] }, '$or with one branch'],
    [{ $or: [{ prefix: ['x'] }, { b: ['y'] }] }, 'operator name as a field inside $or'],
    [{ a: [{ prefix: 'x', suffix: 'y' }] }, 'two operators in one object'],
    [{ a: [{ numeric: ['>', 5, '<', 1] }] }, 'inverted numeric range'],
    [{ a: [{ numeric: ['=', 1e10] }] }, 'number beyond 5e9'],
    [{ a: [{ 'anything-but': [1, 'x'] }] }, 'mixed anything-but list'],
    [{ a: [{ 'anything-but': [] }] }, 'empty anything-but list'],
    [{ a: [{ 'anything-but': true }] }, 'boolean anything-but'],
    [{ a: [{ wildcard: 'a\\b' }] }, 'invalid wildcard escape'],
    [{ a: [{ cidr: '10.0.0.0/32' }] }, 'IPv4 mask of 32'],
    [{ a: [{ cidr: '10.0.0.0' }] }, 'CIDR without mask'],
    [{ a: [{ exists: 'yes' }] }, 'non-boolean exists'],
    [{ a: [{ wildcard: '*a*a*a*a*a*' }] }, 'too complex: repeating sequence after wildcards'],
    [
      {
        a: ['png', 'jpg', 'gif', 'bmp', 'tif', 'svg', 'ico', 'raw'].map((ext) => ({ wildcard: `*.${ext}` })),
      },
      'too complex: eight alternatives sharing a leading wildcard',
    ],
    [
      { $or: [{ a: [{ wildcard: '*:*:*' }] }, { a: [{ wildcard: '*:*:*:*' }] }] },
      'too complex: one field across $or branches',
    ],
  ])('rejects %j (%s)', (pattern: unknown) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidPatternError)
  })

  it('accepts escaped wildcards and matches a literal star', () => {
    // Prepare
    const match = compilePattern({ detail: { name: [{ wildcard: 'a\\*b*' }] } })

    // Act + Assess
    expect(match(event({ name: 'a*bcd' }))).toBe(true)
    expect(match(event({ name: 'axbcd' }))).toBe(false)
  })

  it('matches IPv6 CIDRs in compressed and IPv4-embedded forms', () => {
    // Prepare
    const match = compilePattern({ detail: { ip: [{ cidr: '::ffff:0:0/96' }] } })

    // Act + Assess
    expect(match(event({ ip: '::ffff:10.1.2.3' }))).toBe(true)
    expect(match(event({ ip: '10.1.2.3' }))).toBe(false)
    expect(match(event({ ip: '2001:db8::1' }))).toBe(false)
  })

  it('treats exists:true as matching a null leaf but not an object or an empty array', () => {
    // Prepare
    const pattern = { detail: { x: [{ exists: true }] } }

    // Act + Assess
    expect(matches(pattern, event({ x: null }))).toBe(true)
    expect(matches(pattern, event({ x: { y: 1 } }))).toBe(false)
    expect(matches(pattern, event({ x: [] }))).toBe(false)
    expect(matches({ detail: { x: [{ exists: false }] } }, event({ x: [] }))).toBe(true)
  })

  it('returns false for events that are not objects', () => {
    const match = compilePattern({ source: [{ exists: true }] })
    expect([null, 'x', 1, [], undefined].map(match)).toEqual([false, false, false, false, false])
    expect(match(event({}))).toBe(true)
  })
})
