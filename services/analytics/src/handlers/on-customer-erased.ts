import { nowIso } from '@relay/core/ids'
import { customerErased } from '../customer-subscriptions.js'
import { customerSubscriber } from '../insights-kit.js'
import { deleteContactItems, putTombstone } from '../store/customers.js'

/** Contact.Erased → tombstone first, then every purchase, engagement and score of the contact deleted. */
export const handler = customerSubscriber(customerErased, async (event, { logger }) => {
  const { tenantId, data } = event.detail
  await putTombstone(tenantId, data.id, nowIso())
  const deleted = await deleteContactItems(tenantId, data.id)
  logger.info('Customer analytics of an erased contact deleted', { items: deleted })
  return undefined
})
