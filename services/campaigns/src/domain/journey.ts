/**
 * Journeys: event-triggered sequences of steps for one contact at a time.
 *
 * | part      | rule                                                                                  |
 * | --------- | ------------------------------------------------------------------------------------- |
 * | trigger   | an event of the catalogue (`Contact.Created`, `Ticket.Solved`, `Deal.Won`, ...), or   |
 * |           | `Contact.Inactive`: no engagement for `inactiveDays` (90 by default), found daily     |
 * | entry     | once per contact per journey (a conditional enrolment record); `allowReentry`: a      |
 * |           | contact may enter again once its previous run ended, never while one is running       |
 * | steps     | run in order: `wait` (minutes), `condition` (a segment rule on the contact's          |
 * |           | projection; false → exit, or skip the next step), `send` (a template)                 |
 * | exit      | any of `exitOn` events about the contact ends its run at once (e.g. Deal.Won,         |
 * |           | Email.Unsubscribed); so does a journey paused, at the run's next step                 |
 * | waits     | ≤ 15 min → a delayed work message (SQS DelaySeconds max 900 s); longer → a due-time    |
 * |           | index polled every minute (see {@link planWake})                                      |
 *
 * Why a due-time index for long waits and not re-enqueued delayed messages: a 3-day wait would
 * be 288 hops of 15 minutes per contact (an invocation and a write each), and a welcome series
 * for 100 000 new contacts 28 million of them; the index costs one write per wait and one query
 * per minute per shard, and a wait can be anything up to a year.
 *
 * Pure: the clock and the segment evaluation come in as arguments.
 */

/** An event by its source and detail-type (contracts `JourneyTrigger`). */
export interface EventName {
  source: string
  detailType: string
}

/**
 * The trigger the daily re-engagement check fires for a contact with no engagement (no open, no
 * click, no interaction) in `inactiveDays` days: not an event of the bus, a name for journeys.
 */
export const INACTIVE_TRIGGER: EventName = { source: 'crm.campaigns', detailType: 'Contact.Inactive' }

/**
 * Events a journey can start on or leave on: those the journey subscription receives (their
 * contracts: contacts, pipeline, service-desk, campaigns), plus {@link INACTIVE_TRIGGER}.
 */
export const JOURNEY_EVENTS: readonly EventName[] = [
  { source: 'crm.contacts', detailType: 'Contact.Created' },
  { source: 'crm.contacts', detailType: 'Interaction.Logged' },
  { source: 'crm.pipeline', detailType: 'Deal.Won' },
  { source: 'crm.pipeline', detailType: 'Deal.Lost' },
  { source: 'crm.pipeline', detailType: 'Lead.Converted' },
  { source: 'crm.service-desk', detailType: 'Ticket.Opened' },
  { source: 'crm.service-desk', detailType: 'Ticket.Solved' },
  { source: 'crm.campaigns', detailType: 'Email.Clicked' },
  { source: 'crm.campaigns', detailType: 'Email.Unsubscribed' },
]

export const sameEvent = (a: EventName, b: EventName): boolean =>
  a.source === b.source && a.detailType === b.detailType

/** Whether journeys know the event (trigger or exit). */
export const isJourneyEvent = (e: EventName, asTrigger: boolean): boolean =>
  JOURNEY_EVENTS.some((k) => sameEvent(k, e)) || (asTrigger && sameEvent(e, INACTIVE_TRIGGER))

export const DEFAULT_INACTIVE_DAYS = 90
/** SQS DelaySeconds' maximum: a longer wait goes to the due-time index. */
export const MAX_QUEUE_DELAY_SECONDS = 900

export type JourneyStep =
  | { type: 'wait'; minutes: number }
  /** Continue when the contact matches `rule` now; otherwise leave (default) or skip the next step. */
  | { type: 'condition'; rule: unknown; otherwise?: 'exit' | 'skip-next' | undefined }
  | { type: 'send'; templateId: string }

export type JourneyStatus = 'active' | 'paused'

export interface JourneyDef {
  id: string
  status: JourneyStatus
  trigger: EventName & { inactiveDays?: number | undefined }
  steps: readonly JourneyStep[]
  exitOn?: readonly EventName[] | undefined
  /** May a contact enter again once its previous run ended? */
  allowReentry?: boolean | undefined
}

export type RunStatus = 'active' | 'completed' | 'exited'

/** A contact's enrolment in a journey (one record per journey and contact). */
export interface Enrolment {
  status: RunStatus
  /** 1 for the first run; a re-entry adds one. Step messages name their run. */
  run: number
  /** The next step to execute. */
  step: number
  enrolledAt: string
  endedAt?: string | undefined
  exitReason?: string | undefined
}

export type EntryDecision = { enrol: true; run: number } | { enrol: false; reason: string }

/**
 * Whether a trigger enrols the contact. The store makes the same check its write's condition, so
 * two triggers arriving together still enrol once.
 */
export function entryDecision(journey: JourneyDef, existing: Enrolment | undefined): EntryDecision {
  if (journey.status !== 'active') return { enrol: false, reason: `journey is ${journey.status}` }
  if (existing === undefined) return { enrol: true, run: 1 }
  if (existing.status === 'active') return { enrol: false, reason: 'already in the journey' }
  if (!journey.allowReentry)
    return { enrol: false, reason: 'already went through the journey; re-entry is off' }
  return { enrol: true, run: existing.run + 1 }
}

/** Whether an event about the contact ends its run. */
export function exitsOn(journey: Pick<JourneyDef, 'exitOn'>, event: EventName): boolean {
  return (journey.exitOn ?? []).some((e) => sameEvent(e, event))
}

export type StepAction =
  | { kind: 'send'; step: number; templateId: string; next: number }
  | { kind: 'wait'; step: number; until: string; next: number }
  | { kind: 'exit'; step: number; reason: string }
  | { kind: 'complete'; step: number }

/**
 * What the run does next from step `from`: conditions are evaluated on the spot (in order) until
 * a step that acts (a send or a wait), the end of the journey, or an exit.
 *
 * @example
 * nextAction(journey, 0, (rule) => evaluate(rule, contact), nowIso())
 */
export function nextAction(
  journey: Pick<JourneyDef, 'status' | 'steps'>,
  from: number,
  matches: (rule: unknown) => boolean,
  now: string,
): StepAction {
  if (journey.status !== 'active') return { kind: 'exit', step: from, reason: `journey ${journey.status}` }
  let i = from
  while (i < journey.steps.length) {
    const step = journey.steps[i] as JourneyStep
    if (step.type === 'send') return { kind: 'send', step: i, templateId: step.templateId, next: i + 1 }
    if (step.type === 'wait') {
      const until = new Date(Date.parse(now) + step.minutes * 60_000).toISOString()
      return { kind: 'wait', step: i, until, next: i + 1 }
    }
    if (matches(step.rule)) i += 1
    else if ((step.otherwise ?? 'exit') === 'exit')
      return { kind: 'exit', step: i, reason: `condition of step ${i + 1} not met` }
    else i += 2
  }
  return { kind: 'complete', step: journey.steps.length }
}

export type Wake = { via: 'queue'; delaySeconds: number } | { via: 'due-index'; dueAt: string }

/**
 * How a run wakes at `until`: a delayed message when SQS can hold it that long, else the due-time
 * index (the poller hands it to the queue with the remaining seconds as its delay).
 */
export function planWake(now: string, until: string): Wake {
  const seconds = Math.max(0, Math.ceil((Date.parse(until) - Date.parse(now)) / 1000))
  if (seconds <= MAX_QUEUE_DELAY_SECONDS) return { via: 'queue', delaySeconds: seconds }
  return { via: 'due-index', dueAt: until }
}

/** When a contact last engaged at `lastActiveAt` counts as inactive for a journey. */
export function inactiveFrom(lastActiveAt: string, days = DEFAULT_INACTIVE_DAYS): string {
  return new Date(Date.parse(lastActiveAt) + days * 86_400_000).toISOString()
}

/** Problems of a journey definition a schema cannot see, as `[field, message]` pairs. */
export function journeyProblems(
  journey: Pick<JourneyDef, 'trigger' | 'steps' | 'exitOn'>,
): [string, string][] {
  const problems: [string, string][] = []
  if (!journey.steps.some((s) => s.type === 'send'))
    problems.push(['steps', 'A journey needs at least one send step'])
  journey.steps.forEach((step, i) => {
    if (step.type === 'condition' && step.otherwise === 'skip-next' && i === journey.steps.length - 1)
      problems.push([`steps.${i}.otherwise`, 'The last step has no next step to skip'])
  })
  if (!isJourneyEvent(journey.trigger, true))
    problems.push([
      'trigger',
      `Journeys cannot start on ${journey.trigger.source} ${journey.trigger.detailType}`,
    ])
  const inactive = sameEvent(journey.trigger, INACTIVE_TRIGGER)
  if (!inactive && journey.trigger.inactiveDays !== undefined)
    problems.push([
      'trigger.inactiveDays',
      `Only the ${INACTIVE_TRIGGER.detailType} trigger takes inactiveDays`,
    ])
  journey.exitOn?.forEach((e, i) => {
    if (!isJourneyEvent(e, false))
      problems.push([`exitOn.${i}`, `Journeys cannot leave on ${e.source} ${e.detailType}`])
  })
  return problems
}

/**
 * The contact an event is about (undefined: none, e.g. a ticket from an unknown requester).
 *
 * | event                              | contact                |
 * | ---------------------------------- | ---------------------- |
 * | Contact.Created                    | `data.id`              |
 * | Deal.Won, Deal.Lost                | `data.deal.contactId`  |
 * | anything else of JOURNEY_EVENTS    | `data.contactId`       |
 */
export function contactOfEvent(detailType: string, data: unknown): string | undefined {
  const d = (data ?? {}) as { id?: unknown; contactId?: unknown; deal?: { contactId?: unknown } }
  const id =
    detailType === 'Contact.Created' ? d.id : detailType.startsWith('Deal.') ? d.deal?.contactId : d.contactId
  return typeof id === 'string' && id !== '' ? id : undefined
}

/**
 * Whether a contact counts as inactive at `nowMs`: its last open or click is `days` or more ago;
 * one that never engaged counts from the last email sent to it (someone never sent to is new,
 * not lapsed).
 */
export function isInactive(
  engagement: Partial<Record<'sent' | 'opened' | 'clicked', string>>,
  nowMs: number,
  days = DEFAULT_INACTIVE_DAYS,
): boolean {
  const last = [engagement.opened, engagement.clicked]
    .filter((v): v is string => typeof v === 'string')
    .sort()
    .at(-1)
  const since = last ?? engagement.sent
  if (since === undefined) return false
  return nowMs - Date.parse(since) >= days * 86_400_000
}
