/**
 * The events the service desk follows, each declared once by the contracts it receives: the manifest
 * lists these (rules with patterns built from the contracts) and each handler is built from its
 * declaration (`subscriber(subscription, handle)`, `data` typed and validated by them).
 */
import {
  ContactCreated,
  ContactDeleted,
  ContactErased,
  ContactMerged,
  ContactUpdated,
} from '@relay/contracts/contacts-events'
import { subscription } from '@relay/core/manifest'

/**
 * Contacts' changes keep the requester projection (email → contact): new tickets are matched by
 * email, earlier ones linked when their address gets a contact, a merge re-points them, a deletion
 * stops the matching (the tickets keep their history), an erasure anonymises them.
 */
export const onContactChanged = /* @__PURE__ */ subscription({
  name: 'contact-requesters',
  function: 'on-contact-changed',
  events: [ContactCreated, ContactUpdated, ContactMerged, ContactDeleted, ContactErased],
})

export const subscriptions = [onContactChanged] as const
