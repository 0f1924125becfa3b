/**
 * The business-hours clock in zones with daylight saving (London, New York, Sydney) and without
 * (Bangkok): weekends, DST changes inside and between windows, holidays, pauses, gaps and repeats
 * of the wall clock, and the law that ties the two functions together (fast-check).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ALWAYS_OPEN,
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  calendarProblems,
  isOpen,
  wallToInstant,
} from '../src/domain/business-hours.js'

const weekdays = (start: string, end: string) =>
  Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start, end }]]))
const allWeek = (start: string, end: string) =>
  Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((d) => [d, [{ start, end }]]))

const london: BusinessCalendar = {
  timeZone: 'Europe/London',
  hours: weekdays('09:00', '17:00'),
  // Christmas 2026 falls on a Friday; Boxing Day's substitute is Monday 28th.
  holidays: ['2026-12-25', '2026-12-28'],
}
const newYork24: BusinessCalendar = { timeZone: 'America/New_York', hours: allWeek('00:00', '24:00') }
const bangkok: BusinessCalendar = { timeZone: 'Asia/Bangkok', hours: weekdays('09:00', '18:00') }
const sydney: BusinessCalendar = { timeZone: 'Australia/Sydney', hours: weekdays('09:00', '17:00') }

describe('adding business minutes', () => {
  it('carries a ticket over a weekend and the spring-forward change (London, GMT → BST)', () => {
    // Friday 27 March 16:00 GMT: one hour left that day; the clocks go forward on Sunday 29th.
    expect(addBusinessMinutes(london, '2026-03-27T16:00:00Z', 120)).toBe('2026-03-30T09:00:00.000Z') // Mon 10:00 BST
  })

  it('skips holidays and the weekend between them (London, Christmas)', () => {
    // Thursday 24 Dec 16:00: 60 min that day, Fri 25 and Mon 28 closed, Tuesday 29th 09:00 + 60.
    expect(addBusinessMinutes(london, '2026-12-24T16:00:00Z', 120)).toBe('2026-12-29T10:00:00.000Z')
  })

  it('starts counting at the next opening when started outside hours (Bangkok, UTC+7, no DST)', () => {
    // Monday 1 June 08:00 local (01:00Z): 540 min on Monday from 09:00, then 60 on Tuesday.
    expect(addBusinessMinutes(bangkok, '2026-06-01T01:00:00Z', 600)).toBe('2026-06-02T03:00:00.000Z')
    // Saturday: nothing until Monday 09:00 local.
    expect(addBusinessMinutes(bangkok, '2026-06-06T05:00:00Z', 30)).toBe('2026-06-08T02:30:00.000Z')
  })

  it('crosses the southern autumn change (Sydney, AEDT → AEST on 5 April)', () => {
    // Friday 3 April 16:00 AEDT (05:00Z): 60 min, then Monday 6 April 09:00 AEST (Sunday 23:00Z) + 30.
    expect(addBusinessMinutes(sydney, '2026-04-03T05:00:00Z', 90)).toBe('2026-04-05T23:30:00.000Z')
  })

  it('does not count paused time, and an open pause stops the clock for good', () => {
    const june: BusinessCalendar = { timeZone: 'Europe/London', hours: weekdays('09:00', '17:00') }
    // Monday 1 June 2026, BST: paused 10:00-12:00 local (09:00Z-11:00Z).
    const pauses = [{ from: '2026-06-01T09:00:00Z', to: '2026-06-01T11:00:00Z' }]
    expect(addBusinessMinutes(june, '2026-06-01T08:00:00Z', 240, pauses)).toBe('2026-06-01T14:00:00.000Z')
    expect(addBusinessMinutes(june, '2026-06-01T08:00:00Z', 240, [{ from: '2026-06-01T09:00:00Z' }])).toBe(
      undefined,
    )
    // What fits before an open pause still comes.
    expect(addBusinessMinutes(june, '2026-06-01T08:00:00Z', 30, [{ from: '2026-06-01T09:00:00Z' }])).toBe(
      '2026-06-01T08:30:00.000Z',
    )
  })

  it('keeps split days (a lunch break) and adds nothing for zero minutes', () => {
    const split: BusinessCalendar = {
      timeZone: 'Asia/Bangkok',
      hours: {
        mon: [
          { start: '13:00', end: '17:00' },
          { start: '08:00', end: '12:00' },
        ],
      },
    }
    // Monday 1 June 11:00 local (04:00Z): 60 min before lunch, then 13:00 + 30.
    expect(addBusinessMinutes(split, '2026-06-01T04:00:00Z', 90)).toBe('2026-06-01T06:30:00.000Z')
    expect(addBusinessMinutes(split, '2026-06-01T04:00:00Z', 0)).toBe('2026-06-01T04:00:00.000Z')
  })
})

describe('business minutes between two instants', () => {
  it('counts a 25-hour and a 23-hour day where the clocks change (New York)', () => {
    // Sunday 1 Nov 2026 00:00 EDT (04:00Z) to Monday 00:00 EST (05:00Z): fall back, 25 h.
    expect(businessMinutesBetween(newYork24, '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z')).toBe(1500)
    // Sunday 8 March 2026 00:00 EST (05:00Z) to Monday 00:00 EDT (04:00Z): spring forward, 23 h.
    expect(businessMinutesBetween(newYork24, '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z')).toBe(1380)
  })

  it('counts a weekend-spanning ticket only in open hours (Sydney, and London with a holiday)', () => {
    // Friday 3 April 09:00 AEDT (Thu 22:00Z) to Monday 6 April 17:00 AEST (07:00Z): 8 h + 8 h.
    expect(businessMinutesBetween(sydney, '2026-04-02T22:00:00Z', '2026-04-06T07:00:00Z')).toBe(960)
    // Wednesday 23 Dec 09:00 to Tuesday 29 Dec 09:00 London: Wed and Thu only.
    expect(businessMinutesBetween(london, '2026-12-23T09:00:00Z', '2026-12-29T09:00:00Z')).toBe(960)
  })

  it('leaves pauses out, an open one to the end', () => {
    const june: BusinessCalendar = { timeZone: 'Europe/London', hours: weekdays('09:00', '17:00') }
    const day = ['2026-06-01T08:00:00Z', '2026-06-01T16:00:00Z'] as const
    expect(businessMinutesBetween(june, ...day)).toBe(480)
    expect(
      businessMinutesBetween(june, ...day, [
        { from: '2026-06-01T09:00:00Z', to: '2026-06-01T11:00:00Z' },
        { from: '2026-06-01T10:00:00Z', to: '2026-06-01T11:30:00Z' },
      ]),
    ).toBe(330)
    expect(businessMinutesBetween(june, ...day, [{ from: '2026-06-01T15:00:00Z' }])).toBe(420)
    expect(businessMinutesBetween(june, day[1], day[0])).toBe(0)
  })

  it('is the inverse of adding, in every zone (property)', () => {
    const zones = [
      london,
      newYork24,
      bangkok,
      sydney,
      ALWAYS_OPEN,
      { ...newYork24, hours: weekdays('01:30', '03:30') },
    ]
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2027, 11, 31) }),
        fc.integer({ min: 1, max: 20_000 }),
        (cal, start, minutes) => {
          const from = new Date(start).toISOString()
          const due = addBusinessMinutes(cal, from, minutes)
          expect(due).toBeDefined()
          expect(businessMinutesBetween(cal, from, due!)).toBeCloseTo(minutes, 6)
          // The due instant is inside (or at the end of) open hours: the instant just before it is open
          // (a millisecond: a start off the minute leaves a sub-minute remainder at an opening).
          expect(isOpen(cal, new Date(Date.parse(due!) - 1).toISOString())).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('wall clock to instant', () => {
  it('maps a skipped time past the gap and a repeated time to its first occurrence', () => {
    const wall = (s: string) => Date.parse(`${s}Z`)
    // New York, 8 March 2026 02:30 does not exist: 03:30 EDT.
    expect(new Date(wallToInstant('America/New_York', wall('2026-03-08T02:30:00'))).toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    )
    // London, 25 October 2026 01:30 happens twice: the BST one.
    expect(new Date(wallToInstant('Europe/London', wall('2026-10-25T01:30:00'))).toISOString()).toBe(
      '2026-10-25T00:30:00.000Z',
    )
    expect(new Date(wallToInstant('Asia/Bangkok', wall('2026-10-25T01:30:00'))).toISOString()).toBe(
      '2026-10-24T18:30:00.000Z',
    )
  })
})

describe('calendar validation', () => {
  it('names the unknown zone, bad or overlapping windows, a calendar never open and bad holidays', () => {
    expect(calendarProblems(london)).toEqual([])
    const codes = (cal: BusinessCalendar) => calendarProblems(cal).map((p) => `${p.field}:${p.code}`)
    expect(codes({ timeZone: 'Mars/Olympus', hours: weekdays('09:00', '17:00') })).toEqual([
      'timeZone:invalid_time_zone',
    ])
    expect(
      codes({
        timeZone: 'UTC',
        hours: {
          mon: [
            { start: '09:00', end: '12:00' },
            { start: '11:00', end: '13:00' },
          ],
          tue: [{ start: '10:00', end: '09:00' }],
        },
        holidays: ['2026-02-30'],
      }),
    ).toEqual(['hours.mon:overlapping_windows', 'hours.tue.0:invalid_window', 'holidays.0:invalid_date'])
    expect(codes({ timeZone: 'UTC', hours: {} })).toEqual(['hours:never_open'])
    expect(() => addBusinessMinutes({ timeZone: 'UTC', hours: {} }, '2026-01-01T00:00:00Z', 1)).toThrow(
      RangeError,
    )
  })
})
