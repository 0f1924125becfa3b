import { nowIso } from '@relay/core/ids'
import { customerActivity } from '../customer-subscriptions.js'
import { activityOf } from '../domain/customers.js'
import { customerSubscriber } from '../insights-kit.js'
import { activityWork, isErased, needsDueMark } from '../store/customers.js'

/**
 * A purchase or an engagement → the contact's record, and the tenant marked due for scoring. An
 * erased contact's late events are dropped (and the store's condition catches one racing the
 * erasure: its retry finds the tombstone).
 */
export const handler = customerSubscriber(customerActivity, async (event) => {
  const activity = activityOf(event)
  if (!activity) return undefined
  const { tenantId } = event.detail
  if (await isErased(tenantId, activity.contactId)) return undefined
  const now = nowIso()
  return activityWork(
    tenantId,
    activity.contactId,
    activity,
    (await needsDueMark(tenantId, now)) ? now : undefined,
  )
})
