import { nowIso } from '@relay/core/ids'
import { contactCountDelta } from '../domain/summary.js'
import { subscriber } from '../kit.js'
import { countContactsWork } from '../store/summary.js'
import { countContacts } from '../subscriptions.js'

/**
 * Contact.Created / Contact.Deleted → the tenant's contact count, +1 / -1. Idempotent: the count
 * update and the subscriber's dedupe record commit in one transaction.
 */
export const handler = subscriber(countContacts, async (event) => {
  const delta = contactCountDelta(event.detailType)
  if (delta === 0) return undefined
  return countContactsWork(event.detail.tenantId, delta, nowIso())
})
