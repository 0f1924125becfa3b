/**
 * Parked events of other services (domain/parking.ts): no item of their own, only a message on
 * `parked-activity` with its delay, as a queue-outbox item.
 *
 * Access patterns:
 * 20. Park: Put of a queue-outbox item (`T#<t>#OUTBOX#<id>`), committed by the subscriber or worker
 *     with the delivery's dedupe record; the outbox publisher sends it with its DelaySeconds.
 */
import { type Work, work } from '@relay/core/work'
import { type ParkedActivityMessage, queueItem } from '../queues.js'

/** The unit of work that parks `message` for `delaySeconds` (at most 900, SQS's longest delay). */
export function parkActivity(message: ParkedActivityMessage, delaySeconds: number): Work {
  return work(queueItem('parked-activity', message, delaySeconds))
}
