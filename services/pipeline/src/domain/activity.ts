/** Activity rules, pure: building, patching, the owner's day, and when a reminder is due. */
import {
  ACTIVITY_EVENT,
  type Activity,
  type CreateActivity,
  type UpdateActivity,
} from '@relay/contracts/activities'
import type { EventSpec } from './events.js'

/** A new open activity (version 1), owned by the caller unless given. */
export function buildActivity(
  input: CreateActivity,
  ctx: { id: string; userId: string; now: string },
): Activity {
  const { ownerId, ...fields } = input
  return {
    id: ctx.id,
    ...fields,
    ownerId: ownerId || ctx.userId,
    status: 'open',
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/**
 * Merge-patch (null clears). `done: true` completes it (and cancels a pending reminder), `done:
 * false` reopens it. A new `reminderAt` re-arms the reminder.
 */
export function applyActivityPatch(current: Activity, patch: UpdateActivity, now: string): Activity {
  const next: Record<string, unknown> = { ...current }
  for (const key of ['notes', 'dueAt', 'reminderAt'] as const) {
    if (patch[key] === undefined) continue
    if (patch[key] === null) delete next[key]
    else next[key] = patch[key]
  }
  if (patch.reminderAt !== undefined) delete next.reminderSentAt
  if (patch.subject) next.subject = patch.subject
  if (patch.ownerId) next.ownerId = patch.ownerId
  if (patch.done === true && current.status === 'open') {
    next.status = 'done'
    next.completedAt = now
  }
  if (patch.done === false && current.status === 'done') {
    next.status = 'open'
    delete next.completedAt
  }
  return { ...(next as Activity), version: current.version + 1, updatedAt: now }
}

/** Whether the activity waits for a reminder: open, a reminder time, not yet sent. */
export const awaitsReminder = (a: Activity): boolean =>
  a.status === 'open' && a.reminderAt !== undefined && a.reminderSentAt === undefined

/** Whether a reminder is due at `now`. */
export const reminderDue = (a: Activity, now: string): boolean =>
  awaitsReminder(a) && Date.parse(a.reminderAt!) <= Date.parse(now)

/** The UTC day of `now`: `[start, end)` as ISO timestamps. */
export function utcDay(now: string): { start: string; end: string } {
  const day = now.slice(0, 10)
  const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString()
  return { start: `${day}T00:00:00.000Z`, end: next }
}

/** `Activity.ReminderDue`: what the owner is reminded of (published once, when the reminder is marked sent). */
export function reminderDueEvent(activity: Activity): EventSpec {
  return {
    detailType: ACTIVITY_EVENT.reminderDue,
    data: {
      id: activity.id,
      type: activity.type,
      subject: activity.subject,
      ownerId: activity.ownerId,
      relatedTo: activity.relatedTo,
      ...(activity.dueAt ? { dueAt: activity.dueAt } : {}),
      reminderAt: activity.reminderAt,
    },
  }
}
