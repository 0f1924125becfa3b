import type { Contact } from '@relay/contracts/contacts'
import type { Logger } from '@relay/core/log'
import { recordDuplicates } from './store.js'

/**
 * Flags likely duplicates of a contact just written. The write has committed: a failure here is
 * logged, not answered (the pair list is a suggestion, and the contact's next write flags again).
 */
export async function flagDuplicates(tenantId: string, contact: Contact, logger: Logger): Promise<void> {
  try {
    await recordDuplicates(tenantId, contact)
  } catch (err) {
    logger.warn('Could not flag duplicates', { contactId: contact.id, error: err as Error })
  }
}
