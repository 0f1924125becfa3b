import { describe, expect, it } from 'vitest'
import {
  type Enrolment,
  entryDecision,
  exitsOn,
  inactiveFrom,
  type JourneyDef,
  journeyProblems,
  nextAction,
  planWake,
} from '../src/domain/journey.js'

const welcome: JourneyDef = {
  id: 'j1',
  status: 'active',
  trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
  steps: [
    { type: 'send', templateId: 't-welcome' },
    { type: 'wait', minutes: 3 * 24 * 60 },
    { type: 'condition', rule: { type: 'lifecycle', op: 'in', values: ['lead'] } },
    { type: 'send', templateId: 't-nudge' },
    { type: 'condition', rule: 'vip', otherwise: 'skip-next' },
    { type: 'send', templateId: 't-vip' },
    { type: 'send', templateId: 't-last' },
  ],
  exitOn: [
    { source: 'crm.pipeline', detailType: 'Deal.Won' },
    { source: 'crm.campaigns', detailType: 'Email.Unsubscribed' },
  ],
}
const now = '2026-03-01T10:00:00.000Z'
const ended = (status: Enrolment['status']): Enrolment => ({ status, run: 1, step: 7, enrolledAt: now })

describe('journey entry (at most once unless re-entry is allowed)', () => {
  it('enrols a new contact, never twice, and re-enters only after the run ended when allowed', () => {
    expect(entryDecision(welcome, undefined)).toEqual({ enrol: true, run: 1 })
    expect(entryDecision(welcome, ended('completed'))).toMatchObject({ enrol: false })
    expect(entryDecision(welcome, ended('active'))).toMatchObject({ enrol: false })
    const again = { ...welcome, allowReentry: true }
    expect(entryDecision(again, ended('completed'))).toEqual({ enrol: true, run: 2 })
    expect(entryDecision(again, ended('exited'))).toEqual({ enrol: true, run: 2 })
    expect(entryDecision(again, ended('active'))).toMatchObject({
      enrol: false,
      reason: 'already in the journey',
    })
    expect(entryDecision({ ...welcome, status: 'paused' }, undefined)).toMatchObject({ enrol: false })
  })

  it('exits on the listed events only', () => {
    expect(exitsOn(welcome, { source: 'crm.pipeline', detailType: 'Deal.Won' })).toBe(true)
    expect(exitsOn(welcome, { source: 'crm.service-desk', detailType: 'Ticket.Solved' })).toBe(false)
    expect(exitsOn(welcome, { source: 'crm.other', detailType: 'Deal.Won' })).toBe(false)
  })
})

describe('journey steps', () => {
  const all = () => true
  const none = () => false

  it('sends, then waits, then runs conditions on the spot', () => {
    expect(nextAction(welcome, 0, all, now)).toEqual({
      kind: 'send',
      step: 0,
      templateId: 't-welcome',
      next: 1,
    })
    expect(nextAction(welcome, 1, all, now)).toEqual({
      kind: 'wait',
      step: 1,
      until: '2026-03-04T10:00:00.000Z',
      next: 2,
    })
    expect(nextAction(welcome, 2, all, now)).toMatchObject({ kind: 'send', templateId: 't-nudge' })
  })

  it('exits on a failed exit condition, skips the next step on a failed skip condition', () => {
    expect(nextAction(welcome, 2, none, now)).toEqual({
      kind: 'exit',
      step: 2,
      reason: 'condition of step 3 not met',
    })
    expect(nextAction(welcome, 4, none, now)).toMatchObject({ kind: 'send', step: 6, templateId: 't-last' })
    expect(nextAction(welcome, 4, (rule) => rule === 'vip', now)).toMatchObject({
      step: 5,
      templateId: 't-vip',
    })
  })

  it('completes after the last step, and exits when the journey was paused', () => {
    expect(nextAction(welcome, 7, all, now)).toEqual({ kind: 'complete', step: 7 })
    expect(nextAction({ ...welcome, status: 'paused' }, 3, all, now)).toMatchObject({ kind: 'exit' })
  })

  it('wakes through a delayed message up to 15 minutes, through the due-time index beyond', () => {
    expect(planWake(now, '2026-03-01T10:15:00.000Z')).toEqual({ via: 'queue', delaySeconds: 900 })
    expect(planWake(now, '2026-03-01T10:15:01.000Z')).toEqual({
      via: 'due-index',
      dueAt: '2026-03-01T10:15:01.000Z',
    })
    expect(planWake(now, '2026-03-01T09:00:00.000Z')).toEqual({ via: 'queue', delaySeconds: 0 })
  })

  it('counts a contact inactive 90 days after its last engagement', () => {
    expect(inactiveFrom('2026-01-01T00:00:00.000Z')).toBe('2026-04-01T00:00:00.000Z')
  })

  it('refuses a journey without a send step, a dangling skip, an unknown event, or inactiveDays on another trigger', () => {
    expect(journeyProblems(welcome)).toEqual([])
    const inactive = { source: 'crm.campaigns', detailType: 'Contact.Inactive', inactiveDays: 90 }
    expect(journeyProblems({ ...welcome, trigger: inactive })).toEqual([])
    expect(journeyProblems({ trigger: welcome.trigger, steps: [{ type: 'wait', minutes: 5 }] })).toEqual([
      ['steps', 'A journey needs at least one send step'],
    ])
    expect(
      journeyProblems({
        trigger: { source: 'crm.service-desk', detailType: 'Ticket.Solved', inactiveDays: 30 },
        steps: [
          { type: 'send', templateId: 't' },
          { type: 'condition', rule: {}, otherwise: 'skip-next' },
        ],
        exitOn: [{ source: 'crm.campaigns', detailType: 'Contact.Inactive' }],
      }).map(([field]) => field),
    ).toEqual(['steps.1.otherwise', 'trigger.inactiveDays', 'exitOn.0'])
    expect(
      journeyProblems({
        trigger: { source: 'crm.contacts', detailType: 'Contact.Updated' },
        steps: welcome.steps,
      }),
    ).toEqual([['trigger', 'Journeys cannot start on crm.contacts Contact.Updated']])
  })
})
