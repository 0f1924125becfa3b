/**
 * Other services' events as entries of a contact's timeline (pure rules in
 * domain/related-activity.ts), or parked until their contact appears (rule and bound in
 * domain/parking.ts): shared by the bus subscriber (on-related-activity) and the parking queue's
 * consumer (retry-parked-activity), so both resolve a contact the same way.
 */
import type { Logger } from '@relay/core/log'
import { sendToQueue } from '@relay/core/queue'
import type { Work } from '@relay/core/work'
import * as z from 'zod/mini'
import { nextParking } from './domain/parking.js'
import { contactIdOf, emailOf, relatedActivity } from './domain/related-activity.js'
import { contactIdByEmail, getContact } from './store/contacts.js'
import { SERVICE } from './store/table.js'
import { relatedEntryWork } from './store/timeline.js'

/** The event as parked: what is needed to make its entry later, and how long it has waited. */
export const ParkedActivityMessage = z.object({
  tenantId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/)),
  event: z.object({
    id: z.string().check(z.minLength(1)),
    source: z.string(),
    detailType: z.string(),
    occurredAt: z.string(),
    correlationId: z.string(),
    data: z.unknown(),
  }),
  /** When it was first parked. */
  parkedAt: z.string(),
  /** Parkings so far. */
  attempt: z.number().check(z.int(), z.positive()),
})
export type ParkedActivityMessage = z.infer<typeof ParkedActivityMessage>

/**
 * The unit of work that adds the event's entry to its contact's timeline; or, when the contact is
 * not there (yet), the event parked again (or dropped past the bound) and nothing to commit. An
 * event that is about no contact at all is logged and skipped.
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
  await sendToQueue(SERVICE, 'parked-activity', [message], { delaySeconds: decision.delaySeconds })
  logger.info('Event parked until its contact appears', {
    detailType: event.detailType,
    ...awaited,
    attempt: decision.attempt,
    delaySeconds: decision.delaySeconds,
  })
  return undefined
}
