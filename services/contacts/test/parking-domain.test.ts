/** The parking rule of events whose contact is missing (domain/parking.ts), pure. */
import { describe, expect, it } from 'vitest'
import { nextParking, PARKING } from '../src/domain/parking.js'

const T0 = Date.parse('2026-01-01T00:00:00.000Z')
const at = (ms: number) => new Date(T0 + ms).toISOString()

describe('nextParking', () => {
  it('doubles the delay from 5 seconds up to SQS’s 15-minute maximum', () => {
    const delays = [0, 1, 2, 7, 8, 9, 20].map((attempt) => nextParking({ parkedAt: at(0), attempt }, T0))
    expect(delays).toEqual([
      { park: true, attempt: 1, delaySeconds: 5 },
      { park: true, attempt: 2, delaySeconds: 10 },
      { park: true, attempt: 3, delaySeconds: 20 },
      { park: true, attempt: 8, delaySeconds: 640 },
      { park: true, attempt: 9, delaySeconds: 900 },
      { park: true, attempt: 10, delaySeconds: 900 },
      { park: true, attempt: 21, delaySeconds: 900 },
    ])
  })

  it('ends after 24 hours of parking, or after 120 looks, whichever comes first', () => {
    expect(nextParking({ parkedAt: at(0), attempt: 50 }, T0 + PARKING.maxParkedMs - 1)).toMatchObject({
      park: true,
    })
    expect(nextParking({ parkedAt: at(0), attempt: 50 }, T0 + PARKING.maxParkedMs)).toMatchObject({
      park: false,
    })
    expect(nextParking({ parkedAt: at(0), attempt: PARKING.maxAttempts }, T0)).toMatchObject({ park: false })
    // An unreadable parkedAt ends it rather than park forever.
    expect(nextParking({ parkedAt: 'not a time', attempt: 1 }, T0)).toMatchObject({ park: false })
  })

  it('fits the whole bound in about 100 looks: 24 hours of delays at most 15 minutes apart', () => {
    let waited = 0
    let state = { parkedAt: at(0), attempt: 0 }
    for (;;) {
      const next = nextParking(state, T0 + waited * 1000)
      if (!next.park) break
      waited += next.delaySeconds
      state = { ...state, attempt: next.attempt }
    }
    expect(state.attempt).toBeGreaterThan(90)
    expect(state.attempt).toBeLessThanOrEqual(PARKING.maxAttempts)
    expect(waited).toBeGreaterThanOrEqual(PARKING.maxParkedMs / 1000)
  })
})
