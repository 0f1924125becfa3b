/**
 * On-site visits, pure: a window in the customer's time zone → UTC, the technician's slots that a
 * booking holds, and the visit's status moves.
 *
 * No double-booking: a booking holds one slot item per {@link SLOT_MINUTES} of its window
 * (`technician × slot start`), each written with `attribute_not_exists` in the booking's
 * transaction. Two visits of one technician overlap exactly when they share a slot, because windows
 * start and end on slot boundaries; so of two concurrent bookings DynamoDB lets one commit and
 * cancels the other, whatever the timing.
 *
 * | status    | may move to             | slots                         |
 * | --------- | ----------------------- | ----------------------------- |
 * | booked    | completed, cancelled    | held                          |
 * | completed | (final)                 | kept (the time was used)      |
 * | cancelled | (final)                 | released                      |
 */
import type { BookVisit, UpdateVisit, Visit, VisitStatus } from '@relay/contracts/service-desk-field'
import { Conflict } from '@relay/core/outcomes'
import { offsetAt, wallToInstant } from './business-hours.js'

/** Windows start and end on these boundaries (of UTC, and of every real time zone's wall clock). */
export const SLOT_MINUTES = 15
/** Longest window: its slots, the visit, its event and the request's claim fit one transaction (≤ 100). */
export const MAX_WINDOW_HOURS = 12
/** How far ahead a visit may be booked (two years: a yearly maintenance visit booked a year out, and then some). */
export const MAX_DAYS_AHEAD = 731

const SLOT_MS = SLOT_MINUTES * 60_000

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The wall-clock time of `utcMs` in `zone`, as `YYYY-MM-DDTHH:mm`. */
export function wallClock(utcMs: number, zone: string): string {
  return new Date(utcMs + offsetAt(zone, utcMs)).toISOString().slice(0, 16)
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::00(?:\.0+)?)?$/

/** Epoch ms of a wall-clock `YYYY-MM-DDTHH:mm` read as if it were UTC (undefined when not a real date). */
function asUtc(local: string): number | undefined {
  const m = LOCAL.exec(local)
  if (!m) return undefined
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number]
  const ms = Date.UTC(y, mo - 1, d, h, mi)
  const back = new Date(ms)
  // Date.UTC rolls 2026-02-30 over to March: refuse what is not a calendar date.
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    h > 23 ||
    mi > 59
  )
    return undefined
  return ms
}

export type LocalTimeResult =
  | { ok: true; utcMs: number }
  | { ok: false; code: 'invalid_local_time' | 'nonexistent_local_time'; message: string }

/**
 * The instant a wall-clock time names in `zone` (the business-hours clock's conversion). A time
 * the zone skips (the spring-forward gap) does not exist and is refused rather than shifted, since
 * a customer booked that hour; one that happens twice (the autumn fall-back) is the earlier.
 */
export function localToUtc(local: string, zone: string): LocalTimeResult {
  const wall = asUtc(local)
  if (wall === undefined)
    return { ok: false, code: 'invalid_local_time', message: 'Must be a local time YYYY-MM-DDTHH:mm' }
  const utcMs = wallToInstant(zone, wall)
  if (utcMs + offsetAt(zone, utcMs) !== wall)
    return {
      ok: false,
      code: 'nonexistent_local_time',
      message: `${local.slice(0, 16)} does not exist in ${zone} (the clocks skip it)`,
    }
  return { ok: true, utcMs }
}

/** A window as the API takes it: wall-clock start and end in the customer's zone. */
export interface WindowInput {
  start: string
  end: string
  timeZone: string
}

export interface VisitWindow {
  /** UTC instants (ISO 8601). */
  start: string
  end: string
  /** As booked, in the customer's zone. */
  localStart: string
  localEnd: string
  timeZone: string
}

export interface WindowProblem {
  field: string
  code: string
  message: string
}

/**
 * Checks and converts a booking window: a known zone, real local times, start before end, on
 * {@link SLOT_MINUTES} boundaries, at most {@link MAX_WINDOW_HOURS}, not in the past, at most
 * {@link MAX_DAYS_AHEAD} days ahead. Problems name the body's fields (`window.start`…).
 */
export function resolveWindow(
  input: WindowInput,
  nowMs: number,
  prefix = 'window',
): { ok: true; window: VisitWindow } | { ok: false; problems: WindowProblem[] } {
  if (!isTimeZone(input.timeZone))
    return {
      ok: false,
      problems: [
        { field: `${prefix}.timeZone`, code: 'invalid_time_zone', message: 'Must be an IANA time zone' },
      ],
    }
  const problems: WindowProblem[] = []
  const start = localToUtc(input.start, input.timeZone)
  const end = localToUtc(input.end, input.timeZone)
  if (!start.ok) problems.push({ field: `${prefix}.start`, code: start.code, message: start.message })
  if (!end.ok) problems.push({ field: `${prefix}.end`, code: end.code, message: end.message })
  if (!start.ok || !end.ok) return { ok: false, problems }
  for (const [name, r] of [
    ['start', start],
    ['end', end],
  ] as const) {
    if (r.utcMs % SLOT_MS !== 0)
      problems.push({
        field: `${prefix}.${name}`,
        code: 'not_on_slot',
        message: `Must be on a ${SLOT_MINUTES}-minute boundary (e.g. 09:00, 09:15)`,
      })
  }
  if (end.utcMs <= start.utcMs)
    problems.push({ field: `${prefix}.end`, code: 'end_before_start', message: 'Must be after the start' })
  else if (end.utcMs - start.utcMs > MAX_WINDOW_HOURS * 3_600_000)
    problems.push({
      field: `${prefix}.end`,
      code: 'window_too_long',
      message: `A visit lasts at most ${MAX_WINDOW_HOURS} hours`,
    })
  if (start.utcMs < nowMs)
    problems.push({ field: `${prefix}.start`, code: 'in_the_past', message: 'Must not be in the past' })
  else if (start.utcMs > nowMs + MAX_DAYS_AHEAD * 86_400_000)
    problems.push({
      field: `${prefix}.start`,
      code: 'too_far_ahead',
      message: `Must be within ${MAX_DAYS_AHEAD} days`,
    })
  if (problems.length) return { ok: false, problems }
  return {
    ok: true,
    window: {
      start: new Date(start.utcMs).toISOString(),
      end: new Date(end.utcMs).toISOString(),
      localStart: input.start.slice(0, 16),
      localEnd: input.end.slice(0, 16),
      timeZone: input.timeZone,
    },
  }
}

/** The slot starts (ISO, UTC) a window holds: one per {@link SLOT_MINUTES}, end excluded. */
export function slotsOf(window: { start: string; end: string }): string[] {
  const out: string[] = []
  for (let t = Date.parse(window.start); t < Date.parse(window.end); t += SLOT_MS)
    out.push(new Date(t).toISOString())
  return out
}

/** Whether two windows share any time (half-open intervals: back-to-back visits do not overlap). */
export function overlaps(a: { start: string; end: string }, b: { start: string; end: string }): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)
}

/** What a reschedule changes in the slots held: those to release and those to take. */
export function slotDiff(
  before: { start: string; end: string },
  after: { start: string; end: string },
): { release: string[]; take: string[] } {
  const was = new Set(slotsOf(before))
  const now = new Set(slotsOf(after))
  return { release: [...was].filter((s) => !now.has(s)), take: [...now].filter((s) => !was.has(s)) }
}

/** Whether a visit may move from `from` to `to`. */
export function canMove(from: VisitStatus, to: VisitStatus): boolean {
  return from === 'booked' && (to === 'completed' || to === 'cancelled')
}

// ------------------------------------------------------------------------------------------------
// Booking and changes

/** What a problem with a visit change says; the handler answers 400 (fields) or 409 (state). */
export type VisitChangeProblem =
  | { kind: 'invalid'; problems: WindowProblem[] }
  | { kind: 'state'; message: string }

/** A stored visit (the API's `Visit`). */
export type VisitRecord = Visit

/** A new booked visit (version 1) from a resolved window. */
export function buildVisit(
  input: BookVisit,
  ctx: { id: string; now: string; window: VisitWindow; contactId?: string | undefined },
): VisitRecord {
  const contactId = input.contactId ?? ctx.contactId
  return {
    id: ctx.id,
    technicianId: input.technicianId,
    ...(input.ticketId ? { ticketId: input.ticketId } : {}),
    ...(contactId ? { contactId } : {}),
    window: ctx.window,
    address: input.address,
    ...(input.notes ? { notes: input.notes } : {}),
    status: 'booked',
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/** A change decided: the visit after it, the slots it releases and takes, and what it publishes. */
export interface VisitChange {
  next: VisitRecord
  release: { technicianId: string; slots: string[] }
  take: { technicianId: string; slots: string[] }
  /** `booked` on a reschedule, `completed` on completion. */
  event?: 'booked' | 'completed'
}

/**
 * Applies a PATCH: a status move (completion needs an outcome), or a reschedule of a booked visit
 * (a new window and/or technician: the slots that change are released and taken), or plain edits.
 * A finished visit (completed, cancelled) takes no change but its notes.
 */
export function applyVisitPatch(
  current: VisitRecord,
  patch: UpdateVisit,
  nowMs: number,
): { ok: true; change: VisitChange } | { ok: false; problem: VisitChangeProblem } {
  const now = new Date(nowMs).toISOString()
  const finished = current.status !== 'booked'
  const touchesBooking =
    patch.status !== undefined ||
    patch.window !== undefined ||
    patch.technicianId !== undefined ||
    patch.address !== undefined
  if (finished && touchesBooking)
    return {
      ok: false,
      problem: { kind: 'state', message: `The visit is ${current.status}: only its notes can change` },
    }
  if (patch.status && !canMove(current.status, patch.status))
    return {
      ok: false,
      problem: { kind: 'state', message: `A ${current.status} visit cannot become ${patch.status}` },
    }
  if (patch.status === 'completed' && !patch.outcome)
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        problems: [{ field: 'outcome', code: 'required', message: 'Completing a visit needs its outcome' }],
      },
    }
  if (patch.status !== 'completed' && (patch.outcome || patch.outcomeNotes))
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        problems: [
          {
            field: 'outcome',
            code: 'not_completing',
            message: 'An outcome is given when completing the visit',
          },
        ],
      },
    }
  if (patch.status && (patch.window || patch.technicianId))
    return {
      ok: false,
      problem: {
        kind: 'invalid',
        problems: [{ field: 'status', code: 'one_change', message: 'Reschedule or finish, not both' }],
      },
    }

  let window = current.window
  if (patch.window) {
    const resolved = resolveWindow(patch.window, nowMs)
    if (!resolved.ok) return { ok: false, problem: { kind: 'invalid', problems: resolved.problems } }
    window = resolved.window
  }
  const technicianId = patch.technicianId ?? current.technicianId
  const rescheduled =
    technicianId !== current.technicianId ||
    window.start !== current.window.start ||
    window.end !== current.window.end
  const { notes: _notes, ...rest } = current
  const notes = patch.notes === null ? undefined : (patch.notes ?? current.notes)
  const next: VisitRecord = {
    ...rest,
    technicianId,
    window,
    ...(patch.address ? { address: patch.address } : {}),
    ...(notes ? { notes } : {}),
    ...(patch.status === 'completed'
      ? {
          status: 'completed' as const,
          outcome: patch.outcome,
          ...(patch.outcomeNotes ? { outcomeNotes: patch.outcomeNotes } : {}),
          completedAt: now,
        }
      : {}),
    ...(patch.status === 'cancelled' ? { status: 'cancelled' as const, cancelledAt: now } : {}),
    version: current.version + 1,
    updatedAt: now,
  }
  const none = { technicianId, slots: [] as string[] }
  if (patch.status === 'cancelled')
    return {
      ok: true,
      change: {
        next,
        release: { technicianId: current.technicianId, slots: slotsOf(current.window) },
        take: none,
      },
    }
  if (patch.status === 'completed')
    return { ok: true, change: { next, release: none, take: none, event: 'completed' } }
  if (!rescheduled) return { ok: true, change: { next, release: none, take: none } }
  if (technicianId === current.technicianId) {
    const diff = slotDiff(current.window, window)
    return {
      ok: true,
      change: {
        next,
        release: { technicianId, slots: diff.release },
        take: { technicianId, slots: diff.take },
        event: 'booked',
      },
    }
  }
  return {
    ok: true,
    change: {
      next,
      release: { technicianId: current.technicianId, slots: slotsOf(current.window) },
      take: { technicianId, slots: slotsOf(window) },
      event: 'booked',
    },
  }
}

/** The `data` of a visit event. */
export function visitEventData(v: VisitRecord, kind: 'booked' | 'completed') {
  const ref = {
    visitId: v.id,
    version: v.version,
    ...(v.ticketId ? { ticketId: v.ticketId } : {}),
    ...(v.contactId ? { contactId: v.contactId } : {}),
    technicianId: v.technicianId,
    windowStart: v.window.start,
    windowEnd: v.window.end,
    timeZone: v.window.timeZone,
  }
  return kind === 'booked'
    ? { ...ref, bookedAt: v.updatedAt }
    : { ...ref, outcome: v.outcome ?? 'resolved', completedAt: v.completedAt ?? v.updatedAt }
}

/** The technician holds another visit (409, naming the technician and the first slot taken) in (part of) the window. */
export class TechnicianBooked extends Conflict {
  constructor(technicianId: string, slot?: string) {
    super(`Technician ${technicianId} is already booked${slot ? ` at ${slot}` : ''} in this window.`, {
      technicianId,
      ...(slot ? { slot } : {}),
    })
  }
}
