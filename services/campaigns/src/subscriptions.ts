/**
 * The events the campaigns service follows, each declared once by the contracts it receives: the
 * manifest lists these (rules with patterns built from the contracts) and each handler is built
 * from its declaration (`subscriber(subscription, handle)`, `data` typed and validated by them).
 */
import {
  ContactConsentChanged,
  ContactCreated,
  ContactDeleted,
  ContactErased,
  ContactMerged,
  ContactUpdated,
} from '@relay/contracts/contacts-events'
import { subscription } from '@relay/core/manifest'

/** Contacts' changes keep the audience projection (store/audience.ts): one function, one rule. */
export const audienceProjection = /* @__PURE__ */ subscription({
  name: 'audience-projection',
  function: 'on-contact-event',
  events: [
    ContactCreated,
    ContactUpdated,
    ContactConsentChanged,
    ContactMerged,
    ContactDeleted,
    ContactErased,
  ],
})

export const subscriptions = [audienceProjection] as const
