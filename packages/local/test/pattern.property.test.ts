import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compilePattern,
  type EventPattern,
  InvalidPatternError,
  matches,
  validatePattern,
} from '../src/bus/pattern.js'

const RUNS = { numRuns: 200 }

type Scalar = string | number | boolean | null

// Keys that name a real field: `$or` is syntax and `__proto__` would not survive building a pattern.
const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => !k.startsWith('$') && k !== '__proto__')
const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
)
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
  ),
}))
const detail = fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 })

const envelope = (d: unknown) => ({
  version: '0',
  id: '1',
  'detail-type': 'test',
  source: 'test-source',
  account: '123456789012',
  time: '2024-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: d,
})

/** Every scalar in a value with the object keys leading to it (array positions are not keys). */
function leavesOf(value: unknown, keys: string[] = []): { keys: string[]; value: Scalar }[] {
  if (Array.isArray(value)) return value.flatMap((v) => leavesOf(v, keys))
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => leavesOf(v, [...keys, k]))
  }
  return [{ keys, value: value as Scalar }]
}

const nest = (keys: string[], leaf: unknown): EventPattern =>
  keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), leaf) as EventPattern

describe('pattern properties', () => {
  it('an exact-value pattern built from any leaf of an event matches that event', () => {
    fc.assert(
      fc.property(
        detail.filter((d) => leavesOf(d).length > 0),
        fc.nat(),
        (d, pick) => {
          // Prepare
          const leaves = leavesOf(d)
          const leaf = leaves[pick % leaves.length]!
          const pattern = nest(['detail', ...leaf.keys], [leaf.value])

          // Act + Assess
          expect(matches(pattern, envelope(d))).toBe(true)
        },
      ),
      RUNS,
    )
  })

  it('anything-but a value never matches that value and matches any other value of its type', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.integer({ min: -5_000_000_000, max: 5_000_000_000 }),
    )
    fc.assert(
      fc.property(value, value, (excluded, other) => {
        // Prepare
        const pattern = { detail: { f: [{ 'anything-but': excluded }] } }

        // Act + Assess
        expect(matches(pattern, envelope({ f: excluded }))).toBe(false)
        expect(matches(pattern, envelope({ f: other }))).toBe(other !== excluded)
      }),
      RUNS,
    )
  })

  // A small vocabulary so that random patterns and random events actually meet.
  const field = fc.constantFrom('a', 'b', 'c')
  const value = fc.oneof(fc.constantFrom('x', 'xy', 'X', 'yx', '10.0.0.1'), fc.integer({ min: -3, max: 3 }))
  const condition = fc.oneof(
    value,
    fc.constant(null),
    fc.record({ prefix: fc.constantFrom('x', 'y', '') }),
    fc.record({ suffix: fc.constantFrom('x', 'y') }),
    fc.record({ 'equals-ignore-case': fc.constantFrom('x', 'XY') }),
    fc.record({ wildcard: fc.constantFrom('x*', '*y*', '*') }),
    fc.record({ 'anything-but': fc.oneof(fc.constantFrom('x', 'xy'), fc.constant([1, 2])) }),
    fc.record({ 'anything-but': fc.record({ prefix: fc.constantFrom('x', 'y') }) }),
    fc.record({ numeric: fc.constantFrom(['>', 0], ['<=', 1], ['>=', -2, '<', 2], ['=', 3]) }),
    fc.record({ exists: fc.boolean() }),
    fc.record({ cidr: fc.constantFrom('10.0.0.0/24', '10.0.0.0/31') }),
  )
  const simplePattern = fc.dictionary(field, fc.array(condition, { minLength: 1, maxLength: 3 }), {
    minKeys: 1,
  })
  const simpleEvent = fc.dictionary(
    field,
    fc.oneof(value, fc.constant(null), fc.array(value, { maxLength: 3 })),
  )

  it('$or of A and B matches exactly when A or B matches, at the top and nested', () => {
    fc.assert(
      fc.property(simplePattern, simplePattern, simpleEvent, (a, b, d) => {
        // Prepare
        const event = { ...envelope(d), ...d }

        // Act
        const either = matches(a, event) || matches(b, event)

        // Assess
        expect(matches({ $or: [a, b] }, event)).toBe(either)
        expect(matches({ detail: { $or: [a, b] } }, event)).toBe(
          matches({ detail: a }, event) || matches({ detail: b }, event),
        )
      }),
      RUNS,
    )
  })

  it('compilePattern agrees with matches', () => {
    fc.assert(
      fc.property(simplePattern, simpleEvent, (p, d) => {
        const pattern = { detail: p }
        expect(compilePattern(pattern)(envelope(d))).toBe(matches(pattern, envelope(d)))
      }),
      RUNS,
    )
  })

  it('numeric ranges compare as numbers, including exponent forms', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        (x, lo, width) => {
          // Prepare
          const pattern = { detail: { n: [{ numeric: ['>', lo, '<=', lo + width] }] } }
          const exponentForm = Number(`${x / 100}e2`)

          // Act + Assess
          expect(matches(pattern, envelope({ n: exponentForm }))).toBe(x > lo && x <= lo + width)
          expect(matches(pattern, envelope({ n: String(x) }))).toBe(false)
        },
      ),
      RUNS,
    )
  })

  it('a wildcard made from an escaped literal matches exactly that literal', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), (literal, other) => {
        // Prepare
        const escaped = literal.replace(/[\\*]/g, (c) => `\\${c}`)
        const pattern = { detail: { f: [{ wildcard: escaped }] } }

        // Act + Assess
        expect(matches(pattern, envelope({ f: literal }))).toBe(true)
        expect(matches(pattern, envelope({ f: other }))).toBe(other === literal)
      }),
      RUNS,
    )
  })

  it('a prefix or suffix matches every string that starts or ends with it', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), (s, t) => {
        expect(matches({ detail: { f: [{ prefix: s }] } }, envelope({ f: s + t }))).toBe(true)
        expect(matches({ detail: { f: [{ suffix: t }] } }, envelope({ f: s + t }))).toBe(true)
      }),
      RUNS,
    )
  })

  it('an IPv4 CIDR matches exactly the addresses that share its network bits', () => {
    const octet = fc.integer({ min: 0, max: 255 })
    const ip = fc.tuple(octet, octet, octet, octet)
    const toInt = (q: number[]) => q.reduce((n, o) => n * 256 + o, 0)
    fc.assert(
      fc.property(ip, ip, fc.integer({ min: 0, max: 31 }), (net, addr, bits) => {
        // Prepare: a network address with its host bits cleared, as CIDRs are normally written.
        const size = 2 ** (32 - bits)
        const base = Math.floor(toInt(net) / size) * size
        const baseText = [24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')
        const pattern = { detail: { ip: [{ cidr: `${baseText}/${bits}` }] } }

        // Act + Assess
        const inside = Math.floor(toInt(addr) / size) * size === base
        expect(matches(pattern, envelope({ ip: addr.join('.') }))).toBe(inside)
      }),
      RUNS,
    )
  })

  it('junk patterns never crash: they validate or throw InvalidPatternError', () => {
    const operator = fc.constantFrom(
      'prefix',
      'suffix',
      'equals-ignore-case',
      'wildcard',
      'anything-but',
      'numeric',
      'exists',
      'cidr',
      '$or',
      'EXISTS',
    )
    const { junk } = fc.letrec((tie) => ({
      junk: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom('*', '**', '\\', '10.0.0.0/8', '::/0', '<', '>=', '='),
        fc.array(tie('junk'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(operator, key), tie('junk'), { maxKeys: 3 }),
      ),
    }))
    fc.assert(
      fc.property(junk, detail, (pattern, d) => {
        let valid = true
        try {
          validatePattern(pattern)
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidPatternError)
          valid = false
        }
        if (valid) expect(typeof matches(pattern as EventPattern, envelope(d))).toBe('boolean')
      }),
      RUNS,
    )
  })
})
