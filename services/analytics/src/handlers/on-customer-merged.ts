import { nowIso } from '@relay/core/ids'
import { customerMerged } from '../customer-subscriptions.js'
import { customerSubscriber } from '../insights-kit.js'
import { copyContactItems, deleteContactItems, markDueWork, putTombstone } from '../store/customers.js'

/**
 * Contact.Merged → the source's purchases and engagement copied under the target, then the source
 * tombstoned (its late events are dropped) and deleted; the tenant is due for rescoring. Each step
 * is idempotent, so a retry after a crash redoes it without counting twice.
 */
export const handler = customerSubscriber(customerMerged, async (event, { logger }) => {
  const { tenantId, data } = event.detail
  const now = nowIso()
  const moved = await copyContactItems(tenantId, data.sourceId, data.id)
  await putTombstone(tenantId, data.sourceId, now)
  // Copy again: anything the source gained between the first copy and the tombstone.
  await copyContactItems(tenantId, data.sourceId, data.id)
  await deleteContactItems(tenantId, data.sourceId)
  logger.info('Customer analytics of a merged contact moved', { items: moved })
  return markDueWork(tenantId, now)
})
