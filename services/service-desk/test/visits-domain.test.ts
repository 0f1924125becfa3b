import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canMove,
  localToUtc,
  overlaps,
  resolveWindow,
  SLOT_MINUTES,
  slotDiff,
  slotsOf,
  wallClock,
} from '../src/domain/visit.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')

describe('localToUtc', () => {
  it.each([
    ['Europe/Berlin winter', '2026-12-03T09:00', 'Europe/Berlin', '2026-12-03T08:00:00.000Z'],
    ['Europe/Berlin summer', '2026-07-03T09:00', 'Europe/Berlin', '2026-07-03T07:00:00.000Z'],
    ['New York', '2026-03-09T09:00', 'America/New_York', '2026-03-09T13:00:00.000Z'],
    ['Bangkok (no DST)', '2026-06-01T14:30', 'Asia/Bangkok', '2026-06-01T07:30:00.000Z'],
    ['Kathmandu (+05:45)', '2026-06-01T10:00', 'Asia/Kathmandu', '2026-06-01T04:15:00.000Z'],
    ['Sydney summer', '2026-01-10T08:00', 'Australia/Sydney', '2026-01-09T21:00:00.000Z'],
  ])('reads a wall-clock time in its zone (%s)', (_what, local, zone, utc) => {
    const r = localToUtc(local, zone)
    expect(r).toEqual({ ok: true, utcMs: Date.parse(utc) })
  })

  it('refuses a time the clocks skip (spring forward) and takes the earlier of a repeated one', () => {
    expect(localToUtc('2026-03-29T02:30', 'Europe/Berlin')).toMatchObject({
      ok: false,
      code: 'nonexistent_local_time',
    })
    // 2026-10-25 02:30 happens twice in Berlin: first at +02:00 (00:30Z), then at +01:00.
    expect(localToUtc('2026-10-25T02:30', 'Europe/Berlin')).toEqual({
      ok: true,
      utcMs: Date.parse('2026-10-25T00:30:00Z'),
    })
  })

  it('refuses what is not a calendar time', () => {
    expect(localToUtc('2026-02-30T09:00', 'UTC')).toMatchObject({ ok: false, code: 'invalid_local_time' })
    expect(localToUtc('2026-01-01T24:00', 'UTC')).toMatchObject({ ok: false, code: 'invalid_local_time' })
    expect(localToUtc('2026-01-01 09:00', 'UTC')).toMatchObject({ ok: false, code: 'invalid_local_time' })
  })

  it('round-trips every quarter hour of a year in zones with and without DST (property)', () => {
    const zones = [
      'Europe/London',
      'America/New_York',
      'Australia/Sydney',
      'Asia/Bangkok',
      'America/Sao_Paulo',
    ]
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 96 }), fc.constantFrom(...zones), (q, zone) => {
        const utc = Date.parse('2026-01-01T00:00:00Z') + q * 15 * 60_000
        const local = wallClock(utc, zone)
        const back = localToUtc(local, zone)
        expect(back.ok).toBe(true)
        // A repeated hour maps back to its first occurrence, which is never later.
        if (back.ok) expect(back.utcMs).toBeLessThanOrEqual(utc)
        if (back.ok) expect(wallClock(back.utcMs, zone)).toBe(local)
      }),
      { numRuns: 300 },
    )
  })
})

describe('resolveWindow', () => {
  const window = (start: string, end: string, timeZone = 'Europe/Berlin') => ({ start, end, timeZone })

  it('converts a window to UTC and keeps it as booked', () => {
    const r = resolveWindow(window('2026-12-03T09:00', '2026-12-03T11:00'), NOW)
    expect(r).toEqual({
      ok: true,
      window: {
        start: '2026-12-03T08:00:00.000Z',
        end: '2026-12-03T10:00:00.000Z',
        localStart: '2026-12-03T09:00',
        localEnd: '2026-12-03T11:00',
        timeZone: 'Europe/Berlin',
      },
    })
  })

  it.each([
    [
      'an unknown zone',
      window('2026-12-03T09:00', '2026-12-03T10:00', 'Mars/Olympus'),
      'window.timeZone',
      'invalid_time_zone',
    ],
    ['off the slot grid', window('2026-12-03T09:10', '2026-12-03T10:00'), 'window.start', 'not_on_slot'],
    [
      'an end before the start',
      window('2026-12-03T10:00', '2026-12-03T09:00'),
      'window.end',
      'end_before_start',
    ],
    ['an empty window', window('2026-12-03T10:00', '2026-12-03T10:00'), 'window.end', 'end_before_start'],
    ['13 hours', window('2026-12-03T06:00', '2026-12-03T19:00'), 'window.end', 'window_too_long'],
    ['the past', window('2025-12-03T09:00', '2025-12-03T10:00'), 'window.start', 'in_the_past'],
    ['three years ahead', window('2029-01-03T09:00', '2029-01-03T10:00'), 'window.start', 'too_far_ahead'],
    [
      'a skipped time',
      window('2026-03-29T02:15', '2026-03-29T04:00'),
      'window.start',
      'nonexistent_local_time',
    ],
  ])('refuses %s, naming the field', (_what, input, field, code) => {
    const r = resolveWindow(input, NOW)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.problems).toContainEqual(expect.objectContaining({ field, code }))
  })

  it('accepts a window across the autumn change: 3 wall-clock hours are 4 real ones', () => {
    const r = resolveWindow(window('2026-10-25T01:00', '2026-10-25T04:00'), NOW)
    expect(r.ok).toBe(true)
    if (r.ok) expect(slotsOf(r.window)).toHaveLength((4 * 60) / SLOT_MINUTES)
  })
})

describe('slots and overlap', () => {
  const w = (start: string, end: string) => ({
    start: `2026-12-03T${start}:00.000Z`,
    end: `2026-12-03T${end}:00.000Z`,
  })

  it('holds one slot per quarter hour, end excluded', () => {
    expect(slotsOf(w('09:00', '10:00'))).toEqual([
      '2026-12-03T09:00:00.000Z',
      '2026-12-03T09:15:00.000Z',
      '2026-12-03T09:30:00.000Z',
      '2026-12-03T09:45:00.000Z',
    ])
  })

  it('two slot-aligned windows overlap exactly when they share a slot (property)', () => {
    const aligned = fc
      .tuple(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1, max: 48 }))
      .map(([s, len]) => ({
        start: new Date(NOW + s * 15 * 60_000).toISOString(),
        end: new Date(NOW + (s + len) * 15 * 60_000).toISOString(),
      }))
    fc.assert(
      fc.property(aligned, aligned, (a, b) => {
        const shared = slotsOf(a).some((s) => slotsOf(b).includes(s))
        expect(shared).toBe(overlaps(a, b))
      }),
    )
  })

  it('back-to-back visits do not overlap', () => {
    expect(overlaps(w('09:00', '10:00'), w('10:00', '11:00'))).toBe(false)
    expect(overlaps(w('09:00', '10:15'), w('10:00', '11:00'))).toBe(true)
  })

  it('a reschedule releases and takes only the slots that change', () => {
    expect(slotDiff(w('09:00', '10:00'), w('09:30', '10:30'))).toEqual({
      release: ['2026-12-03T09:00:00.000Z', '2026-12-03T09:15:00.000Z'],
      take: ['2026-12-03T10:00:00.000Z', '2026-12-03T10:15:00.000Z'],
    })
  })
})

describe('status moves', () => {
  it('a booked visit completes or is cancelled; both are final', () => {
    expect(canMove('booked', 'completed')).toBe(true)
    expect(canMove('booked', 'cancelled')).toBe(true)
    expect(canMove('completed', 'cancelled')).toBe(false)
    expect(canMove('cancelled', 'booked')).toBe(false)
    expect(canMove('booked', 'booked')).toBe(false)
  })
})
