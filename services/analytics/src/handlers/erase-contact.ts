import { subscriber } from '../kit.js'
import { eraseContactWork } from '../store/entities.js'
import { eraseContact } from '../subscriptions.js'

/** Contact.Erased → the contact's buyer/click state is deleted; aggregates hold no personal data to erase. */
export const handler = subscriber(eraseContact, async (event) =>
  eraseContactWork(event.detail.tenantId, event.detail.data.id),
)
