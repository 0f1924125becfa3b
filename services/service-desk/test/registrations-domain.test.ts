import { describe, expect, it } from 'vitest'
import { coverageOn, foldSerial, registrationProblems } from '../src/domain/registration.js'

describe('registrations coverage', () => {
  const reg = (id: string, warrantyEnd?: string) => ({
    id,
    product: 'Kettle',
    serialNumber: `SN-${id}`,
    purchaseDate: '2025-01-01',
    ...(warrantyEnd ? { warrantyEnd } : {}),
  })

  it('is covered while any warranty runs, to the end of its last day', () => {
    const c = coverageOn([reg('a', '2026-11-30'), reg('b', '2026-12-01'), reg('c')], '2026-12-01')
    expect(c.covered).toBe(true)
    expect(c.registrations.map((r) => [r.registrationId, r.state, r.daysLeft])).toEqual([
      ['b', 'covered', 0],
      ['c', 'unknown', undefined],
      ['a', 'expired', undefined],
    ])
  })

  it('is not covered with only lapsed or unknown warranties, or none', () => {
    expect(coverageOn([reg('a', '2026-01-01'), reg('c')], '2026-12-01').covered).toBe(false)
    expect(coverageOn([], '2026-12-01')).toEqual({ covered: false, registrations: [] })
  })

  it('refuses a warranty that ends before the purchase', () => {
    expect(registrationProblems({ purchaseDate: '2026-01-02', warrantyEnd: '2026-01-01' })).toHaveLength(1)
    expect(registrationProblems({ purchaseDate: '2026-01-02', warrantyEnd: '2026-01-02' })).toEqual([])
  })

  it('folds serial numbers so one unit is found however it is typed', () => {
    expect(foldSerial('SN-12 34')).toBe(foldSerial('sn1234'))
    expect(foldSerial('SN.1234')).not.toBe(foldSerial('SN-1235'))
  })
})
