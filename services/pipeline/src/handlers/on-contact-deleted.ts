import { subscriber } from '../kit.js'
import { deletedContactTombstone } from '../store/contacts.js'
import { onContactDeleted } from '../subscriptions.js'

/**
 * Contact.Deleted → the contact's projection becomes a tombstone, so new deals and activities can
 * no longer point at it; deals and activities that already do keep the id (a deletion is not an
 * erasure). A merge's tombstone, which names the survivor, is kept: its condition fails and the
 * event counts as applied.
 */
export const handler = subscriber(
  onContactDeleted,
  async (event) =>
    deletedContactTombstone(event.detail.tenantId, event.detail.data.id, event.detail.data.version ?? 0),
  { onConditionFailed: 'ignore' },
)
