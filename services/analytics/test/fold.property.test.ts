import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fold } from '../src/domain/fold.js'
import * as f from './fixtures.js'
import { stream } from './fixtures.js'

const asObject = (totals: Map<string, number>) =>
  Object.fromEntries([...totals].sort(([a], [b]) => (a < b ? -1 : 1)))

describe('the fold', () => {
  const events = stream()
  const reference = asObject(fold(events, 'Asia/Bangkok').totals)

  it('any permutation of the stream, with any duplicates, ends on the same aggregates', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (shuffled, duplicated, positions) => {
          const deliveries = [...shuffled]
          duplicated.forEach((i, k) => {
            const at = (positions[k] ?? 0) % (deliveries.length + 1)
            deliveries.splice(at, 0, events[i]!)
          })
          expect(asObject(fold(deliveries, 'Asia/Bangkok').totals)).toEqual(reference)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('the reference itself is what the events say (not an empty fold that trivially matches)', () => {
    const m = reference
    const all = (day: string, metric: string) => m[`all\u0001_\u0001${day}\u0001${metric}`]
    // D1 opened 10.00 on 1 March, 15.00 from 2 March, won 9 March; D2 (EUR) opened 2 March, deleted 9 March.
    expect(all('2026-03-01', 'openAmount_USD')).toBe(1_000)
    expect(all('2026-03-02', 'openAmount_USD')).toBe(500)
    expect(all('2026-03-09', 'openAmount_USD')).toBe(-1_500 + -50)
    expect(all('2026-03-05', 'openAmount_USD')).toBe(50)
    expect(all('2026-03-09', 'openAmount_EUR')).toBe(-900)
    expect(all('~', 'openAmount_USD')).toBeUndefined()
    expect(all('~', 'contactsNet')).toBe(1)
    expect(all('2026-03-01', 'buyers')).toBe(1) // C3
    expect(all('2026-03-02', 'buyers')).toBe(1) // C1
    expect(all('2026-03-05', 'repeatBuyers')).toBe(1)
    // C1's purchases on 2 and 5 March and its won deal on 9 March all follow its click on 1 March.
    expect(m['campaign\u0001CMP1\u00012026-03-09\u0001emailsConverted']).toBe(1)
    expect(all('2026-03-09', 'emailsConverted')).toBe(1)
    expect(all('2026-03-02', 'emailsConverted')).toBe(1)
  })

  it('a late, older version of a deal moves its delta back to its own day', () => {
    const created = f.dealCreated('2026-03-01', { id: 'DX', version: 1, amountMinor: 100 })
    const raised = f.dealAmountChanged('2026-03-03', 'DX', 2, 400)
    const inOrder = fold([created, raised], 'UTC').totals
    const reversed = fold([raised, created], 'UTC').totals
    expect(asObject(reversed)).toEqual(asObject(inOrder))
    expect(inOrder.get('all\u0001_\u00012026-03-03\u0001openAmount_USD')).toBe(300)
  })
})
