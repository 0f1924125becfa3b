/** Analytics rules, pure. */
import type { Summary } from '@relay/contracts/analytics'
import { CONTACT_EVENT } from '@relay/contracts/contacts'

/**
 * How a contacts event moves the tenant's contact count. Counting is commutative, so events
 * arriving out of order (a delete before its create) still settle on the right total.
 */
export function contactCountDelta(detailType: string): -1 | 0 | 1 {
  if (detailType === CONTACT_EVENT.created) return 1
  if (detailType === CONTACT_EVENT.deleted) return -1
  return 0
}

/** The summary of a stored counter record (or of none yet). */
export function toSummary(record: { contactsTotal?: unknown; updatedAt?: unknown } | undefined): Summary {
  const total = typeof record?.contactsTotal === 'number' ? record.contactsTotal : 0
  return {
    // A delete seen before its create can dip the counter below zero for a moment; never show that.
    contacts: { total: Math.max(0, total) },
    updatedAt: typeof record?.updatedAt === 'string' ? record.updatedAt : null,
  }
}
