import { nowIso } from '@relay/core/ids'
import { contactCountDelta } from '../domain/summary.js'
import { countContactsItem } from '../store.js'
import { subscriber } from '../subscriber.js'

/**
 * Contact.Created / Contact.Deleted → the tenant's contact count, +1 / -1. Idempotent: the count
 * update and the subscriber's dedupe record commit in one transaction.
 */
export const handler = subscriber({
  async handle(event) {
    const delta = contactCountDelta(event.detailType)
    if (delta === 0) return undefined
    return [countContactsItem(event.detail.tenantId, delta, nowIso())]
  },
})
