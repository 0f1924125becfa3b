import { entryOrPark } from '../activity-entries.js'
import { worker } from '../kit.js'
import { ParkedActivityMessage } from '../queues.js'

/**
 * `parked-activity` (SQS) → another look at a parked event: its entry once the contact is there,
 * else parked again with a longer delay, or dropped with a log line past the bound
 * (domain/parking.ts). A message's unit of work is committed with its dedupe record; an entry
 * already written, or a contact erased in between, counts as applied.
 */
export const handler = worker(
  'parked-activity',
  ParkedActivityMessage,
  async ({ tenantId, event, parkedAt, attempt }, { logger }) =>
    entryOrPark(tenantId, event, { parkedAt, attempt }, logger),
  { onConditionFailed: 'ignore' },
)
