/**
 * SLA clocks, pure: which policy applies, how ticket changes start, pause, resume, meet and retime
 * clocks, and that the check raises a warning then a breach exactly once per target and cycle.
 */
import { describe, expect, it } from 'vitest'
import type { BusinessCalendar } from '../src/domain/business-hours.js'
import {
  type Agreement,
  applySignal,
  type ClockContext,
  checkClock,
  nextCheckAt,
  raisedPriority,
  type SlaClock,
  type SlaPolicy,
  type SlaTicket,
  selectPolicy,
  summary,
} from '../src/domain/sla.js'

// London, Monday to Friday 09:00-17:00. June 2026 is BST (UTC+1): 09:00 local = 08:00Z.
const hours: BusinessCalendar = {
  timeZone: 'Europe/London',
  hours: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]),
  ),
}
const policy: SlaPolicy = {
  id: 'P1',
  name: 'Standard',
  hours: 'business',
  targets: {
    normal: { first_response: 60, next_response: 120, resolution: 480 },
    urgent: { first_response: 15, resolution: 120 },
  },
  warnBeforeMinutes: 10,
  escalations: [],
}
const ctx = (now: string): ClockContext => ({ policy, businessHours: hours, now })
const ticket = (over: Partial<SlaTicket> = {}): SlaTicket => ({ status: 'new', priority: 'normal', ...over })

/** Applies each change in turn, keeping every clock (as the store merges them). */
function run(steps: [string, SlaTicket, Parameters<typeof applySignal>[2]][]) {
  let clocks: SlaClock[] = []
  const alarms: string[] = []
  for (const [now, t, signal] of steps) {
    const out = applySignal(clocks, t, signal, ctx(now))
    const byKey = new Map(clocks.map((c) => [`${c.target}#${c.cycle}`, c]))
    for (const c of out.changed) byKey.set(`${c.target}#${c.cycle}`, { ...c, version: c.version + 1 })
    clocks = [...byKey.values()]
    alarms.push(...out.alarms.map((a) => `${a.kind}:${a.clock.target}`))
  }
  const get = (target: string, cycle = 1) => clocks.find((c) => c.target === target && c.cycle === cycle)
  return { clocks, alarms, get }
}

describe('policy selection', () => {
  const gold: Agreement = {
    id: '01A',
    companyId: 'C1',
    policyId: 'GOLD',
    startsOn: '2026-01-01',
    endsOn: '2026-12-31',
  }
  const renewal: Agreement = { id: '01B', companyId: 'C1', policyId: 'PLATINUM', startsOn: '2026-06-01' }
  it('takes the newest agreement in force, else the default, else none', () => {
    expect(selectPolicy('C1', [gold, renewal], 'STD', '2026-07-01')).toEqual({
      policyId: 'PLATINUM',
      agreementId: '01B',
    })
    expect(selectPolicy('C1', [gold, renewal], 'STD', '2026-03-01')).toEqual({
      policyId: 'GOLD',
      agreementId: '01A',
    })
    expect(selectPolicy('C1', [gold], 'STD', '2027-01-01')).toEqual({ policyId: 'STD' })
    expect(selectPolicy(undefined, [], undefined, '2026-03-01')).toBeUndefined()
  })
})

describe('clocks through a ticket’s life', () => {
  it('starts first response and resolution in business time; an agent reply meets first response', () => {
    // Friday 5 June 16:30 BST: 30 min left that day.
    const { get } = run([
      ['2026-06-05T15:30:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T08:20:00.000Z', ticket({ status: 'open' }), { kind: 'agent-reply' }],
    ])
    // first response (60): 30 on Friday, 30 on Monday → due Monday 09:30 BST.
    expect(get('first_response')).toMatchObject({ state: 'met', metAt: '2026-06-08T08:20:00.000Z' })
    expect(get('first_response')?.usedMs).toBe(50 * 60_000)
    expect(get('resolution')).toMatchObject({ state: 'running', dueAt: '2026-06-08T15:30:00.000Z' })
  })

  it('pauses in pending and on hold, and resumes with the minutes left', () => {
    const { get } = run([
      ['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T09:00:00.000Z', ticket({ status: 'pending' }), { kind: 'status', from: 'new' }],
      ['2026-06-08T12:00:00.000Z', ticket({ status: 'on_hold' }), { kind: 'status', from: 'pending' }],
      ['2026-06-09T08:00:00.000Z', ticket({ status: 'open' }), { kind: 'status', from: 'on_hold' }],
    ])
    const r = get('resolution')!
    // 60 min used on Monday before the pause; 420 left from Tuesday 09:00 → 16:00 BST.
    expect(r.usedMs).toBe(60 * 60_000)
    expect(r).toMatchObject({
      state: 'running',
      dueAt: '2026-06-09T15:00:00.000Z',
      warnAt: '2026-06-09T14:50:00.000Z',
    })
  })

  it('breaches a target that ran out unseen when the late reply comes, once', () => {
    const { alarms, get } = run([
      ['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T10:00:00.000Z', ticket({ status: 'open' }), { kind: 'agent-reply' }],
      ['2026-06-08T10:05:00.000Z', ticket({ status: 'open' }), { kind: 'agent-reply' }],
    ])
    expect(alarms).toEqual(['breach:first_response'])
    expect(get('first_response')).toMatchObject({ state: 'met', breachedAt: '2026-06-08T09:00:00.000Z' })
  })

  it('opens a next-response cycle per requester reply after the first response', () => {
    const { get, clocks } = run([
      ['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T08:10:00.000Z', ticket({ status: 'open' }), { kind: 'requester-reply' }],
      ['2026-06-08T08:30:00.000Z', ticket({ status: 'open' }), { kind: 'agent-reply' }],
      ['2026-06-08T09:00:00.000Z', ticket({ status: 'open' }), { kind: 'requester-reply' }],
      ['2026-06-08T09:30:00.000Z', ticket({ status: 'open' }), { kind: 'agent-reply' }],
      ['2026-06-08T10:00:00.000Z', ticket({ status: 'open' }), { kind: 'requester-reply' }],
      ['2026-06-08T10:01:00.000Z', ticket({ status: 'open' }), { kind: 'requester-reply' }],
    ])
    // While first response runs, a requester reply opens nothing; two replies in a row open one cycle.
    expect(clocks.filter((c) => c.target === 'next_response').map((c) => [c.cycle, c.state])).toEqual([
      [1, 'met'],
      [2, 'running'],
    ])
    expect(get('next_response', 2)?.dueAt).toBe('2026-06-08T12:00:00.000Z')
  })

  it('meets resolution on solve, resumes it on reopen, stops everything on close', () => {
    const { get } = run([
      ['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T09:00:00.000Z', ticket({ status: 'solved' }), { kind: 'status', from: 'new' }],
      ['2026-06-08T11:00:00.000Z', ticket({ status: 'open' }), { kind: 'status', from: 'solved' }],
    ])
    expect(get('first_response')?.state).toBe('stopped')
    // 60 used before the solve; 420 from Monday 12:00 BST: 300 that day, 120 on Tuesday.
    expect(get('resolution')).toMatchObject({ state: 'running', dueAt: '2026-06-09T10:00:00.000Z' })
    expect(get('resolution')?.metAt).toBeUndefined()
  })

  it('retimes open clocks when the priority changes', () => {
    const { get } = run([
      ['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T08:10:00.000Z', ticket({ priority: 'urgent' }), { kind: 'priority', from: 'normal' }],
    ])
    expect(get('first_response')).toMatchObject({ targetMinutes: 15, dueAt: '2026-06-08T08:15:00.000Z' })
    expect(get('resolution')).toMatchObject({ targetMinutes: 120, dueAt: '2026-06-08T10:00:00.000Z' })
  })

  it('starts paused for a ticket created pending, and measures nothing a policy leaves out', () => {
    const { get, clocks } = run([
      ['2026-06-08T08:00:00.000Z', ticket({ status: 'pending', priority: 'low' }), { kind: 'created' }],
    ])
    expect(clocks).toEqual([])
    const paused = run([['2026-06-08T08:00:00.000Z', ticket({ status: 'pending' }), { kind: 'created' }]])
    expect(paused.get('resolution')).toMatchObject({ state: 'paused', usedMs: 0 })
    expect(get('resolution')).toBeUndefined()
  })
})

describe('the scheduled check', () => {
  it('warns, then breaches, then never again; the index key follows', () => {
    const { get } = run([['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }]])
    let clock = get('first_response')!
    expect(nextCheckAt(clock)).toBe('2026-06-08T08:50:00.000Z')
    expect(checkClock(clock, '2026-06-08T08:49:59.000Z')).toBeUndefined()
    const warning = checkClock(clock, '2026-06-08T08:50:30.000Z')!
    expect(warning.kind).toBe('warning')
    clock = warning.clock
    expect(nextCheckAt(clock)).toBe('2026-06-08T09:00:00.000Z')
    expect(checkClock(clock, '2026-06-08T08:55:00.000Z')).toBeUndefined()
    const breach = checkClock(clock, '2026-06-08T09:00:10.000Z')!
    expect(breach).toMatchObject({ kind: 'breach', clock: { breachedAt: '2026-06-08T09:00:00.000Z' } })
    clock = breach.clock
    expect(nextCheckAt(clock)).toBeUndefined()
    expect(checkClock(clock, '2026-06-09T09:00:00.000Z')).toBeUndefined()
    // The summary shows it breached, with its minutes still counted.
    const s = summary([clock], { policyId: 'P1' }, hours, '2026-06-08T09:30:00.000Z')
    expect(s?.targets[0]).toMatchObject({ target: 'first_response', state: 'breached', elapsedMinutes: 90 })
  })

  it('skips a paused clock, and raises priority one step at a time', () => {
    const { get } = run([
      ['2026-06-08T08:00:00.000Z', ticket(), { kind: 'created' }],
      ['2026-06-08T08:30:00.000Z', ticket({ status: 'pending' }), { kind: 'status', from: 'new' }],
    ])
    expect(checkClock(get('first_response')!, '2026-06-09T08:00:00.000Z')).toBeUndefined()
    expect(nextCheckAt(get('first_response')!)).toBeUndefined()
    expect(['low', 'normal', 'high', 'urgent'].map((p) => raisedPriority(p as 'low'))).toEqual([
      'normal',
      'high',
      'urgent',
      'urgent',
    ])
  })
})
