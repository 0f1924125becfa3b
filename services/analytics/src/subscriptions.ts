import { ContactCreated, ContactDeleted } from '@relay/contracts/contacts-events'
import { subscription } from '@relay/core/manifest'

/** Contact.Created / Contact.Deleted move the tenant's contact count. */
export const countContacts = /* @__PURE__ */ subscription({
  name: 'count-contacts',
  function: 'count-contacts',
  events: [ContactCreated, ContactDeleted],
})
