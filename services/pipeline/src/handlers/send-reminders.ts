import type { UserDirectory } from '@relay/contracts/activities'
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { nowIso } from '@relay/core/ids'
import { createLogger } from '@relay/core/log'
import { reminderDue, reminderDueEvent } from '../domain/activity.js'
import { sendReminderEmail } from '../mail.js'
import { dueReminders, saveActivity } from '../store/activities.js'
import { userDirectory } from '../store/settings.js'

const logger = createLogger('pipeline')

/** Most reminders one run sends; the rest wait for the next run (a minute later). */
export const MAX_REMINDERS_PER_RUN = 200

/**
 * Schedule `reminders` (rate 1 minute): every activity whose reminder time has come gets
 * `Activity.ReminderDue`, once. Each is marked sent (leaving the sparse reminder index) in the same
 * transaction as its outbox event, conditioned on the version read, so overlapping runs or a retry
 * never send one twice. Today's and yesterday's buckets are read, so a run missed around midnight
 * is caught up.
 *
 * Each reminder also goes by email to its owner, at the address the tenant's user directory
 * (`/settings/users`) gives (tokens carry no email claim). The email is sent after the reminder is
 * marked sent, so it goes at most once; a failed send is logged and counted, never retried into a
 * duplicate. Owners without an address get the event only.
 */
export async function handler(): Promise<{ sent: number; emailed: number; emailFailed: number }> {
  const now = nowIso()
  const yesterday = new Date(Date.parse(now) - 86_400_000).toISOString().slice(0, 10)
  const found = await dueReminders([yesterday, now.slice(0, 10)], now, MAX_REMINDERS_PER_RUN)
  let sent = 0
  let emailed = 0
  let emailFailed = 0
  const directories = new Map<string, Promise<UserDirectory>>()
  for (const { tenantId, activity } of found) {
    if (!tenantId || !reminderDue(activity, now)) continue
    const next = { ...activity, reminderSentAt: now, version: activity.version + 1, updatedAt: now }
    try {
      await saveActivity(
        tenantId,
        next,
        activity.version,
        [reminderDueEvent(activity)],
        `reminder-${activity.id}`,
      )
      sent++
    } catch (err) {
      // Changed meanwhile (completed, re-timed, or sent by an overlapping run): the next run sees its new state.
      if (!isConditionalCheckFailed(err)) throw err
      continue
    }
    if (!directories.has(tenantId)) directories.set(tenantId, userDirectory(tenantId))
    const user = (await directories.get(tenantId))?.users.find((u) => u.userId === activity.ownerId)
    if (!user) continue
    try {
      await sendReminderEmail(user.email, activity, user.name)
      emailed++
    } catch (err) {
      emailFailed++
      logger.error('reminder email failed', { activityId: activity.id, tenantId, error: err as Error })
    }
  }
  if (sent) logger.info('reminders sent', { sent, emailed, emailFailed })
  return { sent, emailed, emailFailed }
}
