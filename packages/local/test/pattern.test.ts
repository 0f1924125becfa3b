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

  it('keeps the last occurrence of a repeated key, as EventBridge does', () => {
    // Prepare
    const pattern = parsePattern('{"detail": {"state": ["open"], "state": ["closed"]}}')

    // Act + Assess
    expect(matches(pattern, event({ state: 'closed' }))).toBe(true)
    expect(matches(pattern, event({ state: 'open' }))).toBe(false)
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
    [{ a: [{ numeric: ['<', 0.1234567] }] }, 'more than 6 decimals'],
    [{ a: [{ 'anything-but': [1, 'x'] }] }, 'mixed anything-but list'],
    [{ a: [{ 'anything-but': [] }] }, 'empty anything-but list'],
    [{ a: [{ 'anything-but': true }] }, 'boolean anything-but'],
    [{ a: [{ wildcard: 'a\\b' }] }, 'invalid wildcard escape'],
    [{ a: [{ cidr: '10.0.0.0/32' }] }, 'IPv4 mask of 32'],
    [{ a: [{ cidr: '10.0.0.0' }] }, 'CIDR without mask'],
    [{ a: [{ exists: 'yes' }] }, 'non-boolean exists'],
    [
      { a: [{ wildcard: '*.bif' }, { wildcard: '*.tiff' }, { wildcard: '*.tif' }, { wildcard: '*.svs' }] },
      'too complex',
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
