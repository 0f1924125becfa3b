/**
 * SLA clocks, pure: which policy a ticket runs under, one clock per target (and per cycle of the
 * next-response target), how each ticket change moves them, when the scheduled check must look at
 * one again, and what it raises then.
 *
 * | ticket change                          | clocks                                                        |
 * | -------------------------------------- | ------------------------------------------------------------- |
 * | created                                | first_response and resolution start (paused if created pending / on hold) |
 * | → pending / on_hold                    | every running clock pauses (business minutes so far kept)      |
 * | pending / on_hold → new / open         | paused clocks run again; due times recomputed from what is left |
 * | agent's public reply                   | first_response and the open next_response cycle are met        |
 * | requester's public reply               | a new next_response cycle starts (once first_response is met)  |
 * | → solved                               | resolution met; the response clocks stop                        |
 * | solved → open (reopened)               | resolution runs again with the minutes it had used              |
 * | → closed                               | every clock not met stops                                       |
 * | priority changed                       | open clocks take the new priority's targets                    |
 *
 * A clock whose target passed while nobody looked (a reply after the due time, a pause after it)
 * is breached by the change itself, so `Ticket.SlaBreached` is raised exactly once per target and
 * cycle whichever comes first, the change or the scheduled check: `breachedAt` is set once and
 * both writers are conditioned on the clock's version.
 */
import type { SlaTarget, TicketPriority, TicketSla, TicketStatus } from '@relay/contracts/service-desk'
import type { Policy, PolicyInput } from '@relay/contracts/service-desk-sla'
import { ALWAYS_OPEN, addBusinessMs, type BusinessCalendar, businessMsBetween } from './business-hours.js'

const MINUTE = 60_000

/** Business minutes per target; a target without a number is not measured. */
export type Goals = Partial<Record<SlaTarget, number>>

export interface EscalationRule {
  /** The target whose breach triggers the rule; any target when absent. */
  target?: SlaTarget | undefined
  /** Raise the ticket's priority one step (urgent stays urgent). */
  raisePriority?: boolean | undefined
  /** Move the ticket to this queue (its agent is picked again). */
  queueId?: string | undefined
  /** Email these addresses. */
  notify?: readonly string[] | undefined
}

export interface SlaPolicy {
  id: string
  name: string
  /** `business`: the tenant's business hours; `calendar`: round the clock. */
  hours: 'business' | 'calendar'
  targets: Partial<Record<TicketPriority, Goals>>
  /** Business minutes before a due time at which `Ticket.SlaWarning` is raised. */
  warnBeforeMinutes: number
  escalations: readonly EscalationRule[]
}

/** A service contract on a company: its tickets run under `policyId` between the dates (inclusive). */
export interface Agreement {
  id: string
  companyId: string
  policyId: string
  startsOn?: string | undefined
  endsOn?: string | undefined
}

/** A breached clock keeps running (its minutes still count) with `breachedAt` set. */
export type ClockState = 'running' | 'paused' | 'met' | 'stopped'

/** One target of one ticket (next_response: one per cycle). */
export interface SlaClock {
  target: SlaTarget
  cycle: number
  policyId: string
  targetMinutes: number
  state: ClockState
  startedAt: string
  /** Business ms used before `runningSince`. */
  usedMs: number
  /** While running: since when the current stretch counts. */
  runningSince?: string | undefined
  /** While running: when the target runs out, and when to warn. */
  dueAt?: string | undefined
  warnAt?: string | undefined
  warnedAt?: string | undefined
  breachedAt?: string | undefined
  metAt?: string | undefined
  /** 0 for a clock not stored yet. */
  version: number
}

/** What a ticket change tells the clocks. */
export type SlaSignal =
  | { kind: 'created' }
  | { kind: 'status'; from: TicketStatus }
  | { kind: 'priority'; from: TicketPriority }
  | { kind: 'agent-reply' }
  | { kind: 'requester-reply' }

/** What the clocks need of a ticket. */
export interface SlaTicket {
  status: TicketStatus
  priority: TicketPriority
  companyId?: string | undefined
}

export interface ClockContext {
  policy: SlaPolicy
  /** The tenant's business hours (used by `hours: 'business'` policies). */
  businessHours: BusinessCalendar
  now: string
}

/** A warning or breach the clocks decided on. */
export interface SlaAlarm {
  kind: 'warning' | 'breach'
  clock: SlaClock
}

const PAUSED_STATUSES: ReadonlySet<TicketStatus> = new Set(['pending', 'on_hold'])
const PRIORITY_ORDER: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent']

/**
 * The policy a ticket runs under: of its company's agreements in force on `today` (a local date),
 * the newest (ids are ULIDs: the greatest id was created last); else the tenant's default.
 */
export function selectPolicy(
  companyId: string | undefined,
  agreements: readonly Agreement[],
  defaultPolicyId: string | undefined,
  today: string,
): { policyId: string; agreementId?: string } | undefined {
  const inForce = agreements
    .filter(
      (a) =>
        a.companyId === companyId && (!a.startsOn || a.startsOn <= today) && (!a.endsOn || today <= a.endsOn),
    )
    .sort((a, b) => (a.id < b.id ? 1 : -1))[0]
  if (inForce) return { policyId: inForce.policyId, agreementId: inForce.id }
  return defaultPolicyId ? { policyId: defaultPolicyId } : undefined
}

/** The calendar a policy counts in. */
export function clockCalendar(ctx: ClockContext): BusinessCalendar {
  return ctx.policy.hours === 'calendar' ? ALWAYS_OPEN : ctx.businessHours
}

/** Business ms a clock has used by `now`. */
export function usedMs(clock: SlaClock, cal: BusinessCalendar, now: string): number {
  if (clock.state !== 'running' || !clock.runningSince) return clock.usedMs
  return clock.usedMs + businessMsBetween(cal, Date.parse(clock.runningSince), Date.parse(now))
}

/** The clock running from `now` with what it has used: its due and warning times. */
function run(clock: SlaClock, ctx: ClockContext): SlaClock {
  const cal = clockCalendar(ctx)
  const left = clock.targetMinutes * MINUTE - clock.usedMs
  const start = Date.parse(ctx.now)
  const due = addBusinessMs(cal, start, left)
  const warn = addBusinessMs(cal, start, Math.max(0, left - ctx.policy.warnBeforeMinutes * MINUTE))
  return {
    ...clock,
    state: 'running',
    runningSince: ctx.now,
    dueAt: due === undefined ? undefined : new Date(due).toISOString(),
    warnAt: warn === undefined || clock.warnedAt ? undefined : new Date(warn).toISOString(),
  }
}

/** The clock stopped at `now` in `state` (paused, met or stopped), its minutes counted. */
function halt(clock: SlaClock, state: ClockState, ctx: ClockContext): SlaClock {
  const used = usedMs(clock, clockCalendar(ctx), ctx.now)
  const { runningSince: _r, dueAt: _d, warnAt: _w, ...rest } = clock
  return { ...rest, usedMs: used, state, ...(state === 'met' ? { metAt: ctx.now } : {}) }
}

const isOpen = (c: SlaClock) => c.state === 'running' || c.state === 'paused'

/** A new clock for `target` (cycle `cycle`) if the policy measures it at `priority`. */
function startClock(
  target: SlaTarget,
  cycle: number,
  ticket: SlaTicket,
  ctx: ClockContext,
): SlaClock | undefined {
  const minutes = ctx.policy.targets[ticket.priority]?.[target]
  if (minutes === undefined) return undefined
  const clock: SlaClock = {
    target,
    cycle,
    policyId: ctx.policy.id,
    targetMinutes: minutes,
    state: 'paused',
    startedAt: ctx.now,
    usedMs: 0,
    version: 0,
  }
  return PAUSED_STATUSES.has(ticket.status) ? clock : run(clock, ctx)
}

/**
 * The clocks after a ticket change: those that changed or started (a clock left as it was is not
 * returned), and the breaches the change itself reveals (a target that ran out unseen).
 */
export function applySignal(
  clocks: readonly SlaClock[],
  ticket: SlaTicket,
  signal: SlaSignal,
  ctx: ClockContext,
): { changed: SlaClock[]; alarms: SlaAlarm[] } {
  const cal = clockCalendar(ctx)
  const next = new Map<string, SlaClock>()
  const key = (c: SlaClock) => `${c.target}#${c.cycle}`
  const current = (c: SlaClock) => next.get(key(c)) ?? c
  const put = (c: SlaClock) => next.set(key(c), c)
  // A clock that ran out before this change is breached now, before the change stops it.
  const alarms: SlaAlarm[] = []
  for (const c of clocks) {
    if (c.state !== 'running' || c.breachedAt) continue
    if (usedMs(c, cal, ctx.now) >= c.targetMinutes * MINUTE) {
      const breached = { ...c, breachedAt: c.dueAt ?? ctx.now }
      put(breached)
      alarms.push({ kind: 'breach', clock: breached })
    }
  }
  const all = () => clocks.map(current)
  const open = (target?: SlaTarget) => all().filter((c) => isOpen(c) && (!target || c.target === target))
  const lastCycle = (target: SlaTarget) =>
    Math.max(
      0,
      ...all()
        .filter((c) => c.target === target)
        .map((c) => c.cycle),
    )

  switch (signal.kind) {
    case 'created': {
      for (const target of ['first_response', 'resolution'] as const) {
        if (lastCycle(target) > 0) continue
        const c = startClock(target, 1, ticket, ctx)
        if (c) put(c)
      }
      break
    }
    case 'status': {
      const to = ticket.status
      if (to === 'solved' || to === 'closed') {
        for (const c of open())
          put(halt(c, c.target === 'resolution' && to === 'solved' ? 'met' : 'stopped', ctx))
      } else if (PAUSED_STATUSES.has(to)) {
        for (const c of open()) if (c.state === 'running') put(halt(c, 'paused', ctx))
      } else if (signal.from === 'solved') {
        // Reopened: resolution counts on from what it had used; the response clocks wait for the next reply.
        const resolution = all().find((c) => c.target === 'resolution' && c.state === 'met')
        if (resolution) {
          const { metAt: _m, ...rest } = resolution
          put(run({ ...rest, state: 'paused' }, ctx))
        }
      } else if (PAUSED_STATUSES.has(signal.from)) {
        for (const c of open()) if (c.state === 'paused') put(run(c, ctx))
      }
      break
    }
    case 'agent-reply': {
      for (const c of [...open('first_response'), ...open('next_response')]) put(halt(c, 'met', ctx))
      break
    }
    case 'requester-reply': {
      const firstOpen = open('first_response').length > 0
      if (firstOpen || open('next_response').length > 0) break
      const c = startClock('next_response', lastCycle('next_response') + 1, ticket, ctx)
      if (c) put(c)
      break
    }
    case 'priority': {
      for (const c of open()) {
        const minutes = ctx.policy.targets[ticket.priority]?.[c.target]
        if (minutes === undefined) {
          put(halt(c, 'stopped', ctx))
          continue
        }
        const used = usedMs(c, cal, ctx.now)
        const retimed: SlaClock = { ...c, targetMinutes: minutes, usedMs: used }
        put(c.state === 'paused' ? retimed : run({ ...retimed, state: 'paused' }, ctx))
      }
      break
    }
  }
  return { changed: [...next.values()], alarms }
}

/**
 * When the scheduled check must look at a clock next (its warning, then its due time); undefined
 * when it never needs to (not running, or breached already). This is the index's sort key.
 */
export function nextCheckAt(clock: SlaClock): string | undefined {
  if (clock.state !== 'running' || clock.breachedAt) return undefined
  if (clock.warnAt && !clock.warnedAt) return clock.warnAt
  return clock.dueAt
}

/** What the scheduled check does with a clock at `now`: warn, breach, or nothing (not yet, or done). */
export function checkClock(clock: SlaClock, now: string): SlaAlarm | undefined {
  if (clock.state !== 'running' || clock.breachedAt) return undefined
  if (clock.dueAt && clock.dueAt <= now)
    return { kind: 'breach', clock: { ...clock, breachedAt: clock.dueAt } }
  if (clock.warnAt && !clock.warnedAt && clock.warnAt <= now)
    return { kind: 'warning', clock: { ...clock, warnedAt: now } }
  return undefined
}

/** Business minutes left on a clock at `now` (negative once overdue). */
export function minutesLeft(clock: SlaClock, ctx: ClockContext): number {
  return Math.round((clock.targetMinutes * MINUTE - usedMs(clock, clockCalendar(ctx), ctx.now)) / MINUTE)
}

/** The ticket's SLA summary (the latest cycle of each target), as the Ticket DTO shows it. */
export function summary(
  clocks: readonly SlaClock[],
  policy: { policyId: string; agreementId?: string | undefined } | undefined,
  cal: BusinessCalendar,
  now: string,
): TicketSla | undefined {
  if (!policy && clocks.length === 0) return undefined
  const latest = new Map<SlaTarget, SlaClock>()
  for (const c of clocks) if ((latest.get(c.target)?.cycle ?? 0) < c.cycle) latest.set(c.target, c)
  return {
    ...(policy ? { policyId: policy.policyId } : {}),
    ...(policy?.agreementId ? { agreementId: policy.agreementId } : {}),
    targets: [...latest.values()].map((c) => targetView(c, cal, now)),
  }
}

/** Whether any clock of a ticket was breached. */
export const anyBreached = (clocks: readonly SlaClock[]) => clocks.some((c) => Boolean(c.breachedAt))

/** The escalation rules a breach of `target` triggers. */
export function escalationsFor(policy: SlaPolicy, target: SlaTarget): EscalationRule[] {
  return policy.escalations.filter((r) => !r.target || r.target === target)
}

/** One priority step up (urgent stays urgent). */
export function raisedPriority(p: TicketPriority): TicketPriority {
  return PRIORITY_ORDER[Math.min(PRIORITY_ORDER.length - 1, PRIORITY_ORDER.indexOf(p) + 1)] ?? p
}

/** Business minutes before a due time at which the warning goes, unless the policy says. */
export const DEFAULT_WARN_BEFORE_MINUTES = 15

/** A policy from its input: defaults filled, and what is wrong with it (empty when valid). */
export function policyOf(
  input: PolicyInput,
  meta: { id: string; version: number; createdAt: string; updatedAt: string },
): { policy: Policy; problems: { field: string; code: string; message: string }[] } {
  const targets = Object.fromEntries(
    Object.entries(input.targets).filter(([, goals]) => goals && Object.keys(goals).length > 0),
  ) as Policy['targets']
  const policy: Policy = {
    ...meta,
    name: input.name,
    hours: input.hours ?? 'business',
    targets,
    warnBeforeMinutes: input.warnBeforeMinutes ?? DEFAULT_WARN_BEFORE_MINUTES,
    escalations: input.escalations ?? [],
  }
  const problems: { field: string; code: string; message: string }[] = []
  if (Object.keys(targets).length === 0)
    problems.push({
      field: 'targets',
      code: 'no_targets',
      message: 'Give at least one target for one priority',
    })
  policy.escalations.forEach((r, i) => {
    if (!r.raisePriority && !r.queueId && !r.notify?.length)
      problems.push({
        field: `escalations.${i}`,
        code: 'no_action',
        message: 'Raise priority, move to a queue or notify',
      })
  })
  return { policy, problems }
}

/** Every clock of a ticket (each cycle), as the `/tickets/{id}/sla` answer shows them. */
export function clockView(
  clocks: readonly SlaClock[],
  sla: TicketSla | undefined,
  businessHours: BusinessCalendar,
  hours: 'business' | 'calendar',
  now: string,
): TicketSla {
  const cal = hours === 'calendar' ? ALWAYS_OPEN : businessHours
  return {
    ...(sla?.policyId ? { policyId: sla.policyId } : {}),
    ...(sla?.agreementId ? { agreementId: sla.agreementId } : {}),
    targets: clocks.map((c) => targetView(c, cal, now)),
  }
}

function targetView(c: SlaClock, cal: BusinessCalendar, now: string): TicketSla['targets'][number] {
  return {
    target: c.target,
    targetMinutes: c.targetMinutes,
    ...(c.dueAt ? { dueAt: c.dueAt } : {}),
    elapsedMinutes: Math.round(usedMs(c, cal, now) / MINUTE),
    state: c.breachedAt ? 'breached' : c.state === 'running' || c.state === 'met' ? c.state : 'paused',
    ...(c.warnedAt ? { warnedAt: c.warnedAt } : {}),
    ...(c.breachedAt ? { breachedAt: c.breachedAt } : {}),
    ...(c.metAt ? { metAt: c.metAt } : {}),
  }
}
