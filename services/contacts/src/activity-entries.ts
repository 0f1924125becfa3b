/**
 * Other services' events as entries of a contact's timeline (pure rules in
 * domain/related-activity.ts), or parked until their contact appears (rule and bound in
 * domain/parking.ts): shared by the bus subscriber (on-related-activity) and the parking queue's
 * consumer (retry-parked-activity), so both resolve a contact the same way.
 */
import type { Logger } from '@relay/core/log'
import type { Work } from '@relay/core/work'
import { nextParking } from './domain/parking.js'
import { contactIdOf, emailOf, relatedActivity } from './domain/related-activity.js'
import type { ParkedActivityMessage } from './queues.js'
import { contactIdByEmail, getContact } from './store/contacts.js'
import { parkActivity } from './store/parked-activity.js'
import { relatedEntryWork } from './store/timeline.js'

/**
 * The unit of work that adds the event's entry to its contact's timeline; or, when the contact is
 * not there (yet), the one that parks the event (again) on `parked-activity`, committed with the
 * delivery's dedupe record so the parking is sent if and only if this delivery counts as done;
 * or nothing, past the parking bound. An event that is about no contact at all is logged and skipped.
 */
export async function entryOrPark(
  tenantId: string,
  event: ParkedActivityMessage['event'],
  parked: { parkedAt: string; attempt: number } | undefined,
  logger: Logger,
): Promise<Work | undefined> {
  const email = contactIdOf(event.data) ? undefined : emailOf(event.data)
  const byEmail = email ? await contactIdByEmail(tenantId, email) : undefined
  const activity = relatedActivity(event, byEmail ?? contactIdOf(event.data))
  const awaited = 'skip' in activity ? (email ? { email } : undefined) : { contactId: activity.contactId }
  if ('skip' in activity && !email) {
    logger.info('Event not for a contact timeline; skipped', {
      detailType: event.detailType,
      reason: activity.skip,
    })
    return undefined
  }
  // The contact is checked again in the transaction: erased in between → condition failed → applied.
  if (!('skip' in activity) && (await getContact(tenantId, activity.contactId))) {
    return relatedEntryWork(tenantId, activity.contactId, activity.entry)
  }
  const now = Date.now()
  const decision = nextParking(parked ?? { parkedAt: new Date(now).toISOString(), attempt: 0 }, now)
  if (!decision.park) {
    logger.warn('Event for a contact that did not appear; dropped', {
      detailType: event.detailType,
      ...awaited,
      reason: decision.reason,
    })
    return undefined
  }
  const message: ParkedActivityMessage = {
    tenantId,
    event,
    parkedAt: parked?.parkedAt ?? new Date(now).toISOString(),
    attempt: decision.attempt,
  }
  logger.info('Event parked until its contact appears', {
    detailType: event.detailType,
    ...awaited,
    attempt: decision.attempt,
    delaySeconds: decision.delaySeconds,
  })
  return parkActivity(message, decision.delaySeconds)
}
