/**
 * The events the pipeline follows, each declared once by the contracts it receives: the manifest
 * lists these (rules with patterns built from the contracts) and each handler is built from its
 * declaration (`subscriber(subscription, handle)`, `data` typed and validated by the contracts).
 * Each is marked pure so a subscriber bundles its own declaration, not the others' (esbuild does
 * not carry subscription()'s no-side-effects mark across files).
 */
import { EmailClicked, EmailOpened } from '@relay/contracts/campaigns-events'
import {
  ContactCreated,
  ContactDeleted,
  ContactErased,
  ContactMerged,
  ContactUpdated,
  InteractionLogged,
} from '@relay/contracts/contacts-events'
import { subscription } from '@relay/core/manifest'

/** Deals, activities and converted leads of an absorbed contact follow the survivor; email projection. */
export const onContactMerged = /* @__PURE__ */ subscription({
  name: 'contact-merged',
  function: 'on-contact-merged',
  events: [ContactMerged],
})

/** Deals forget an erased contact, its activities go, its source leads lose personal data. */
export const onContactErased = /* @__PURE__ */ subscription({
  name: 'contact-erased',
  function: 'on-contact-erased',
  events: [ContactErased],
})

/** The projection of contacts (email fingerprints, and that the contact exists in the tenant). */
export const onContactCreated = /* @__PURE__ */ subscription({
  name: 'contact-created',
  function: 'on-contact-created',
  events: [ContactCreated],
})

/** The email projection follows `changes.emails`, version-guarded. */
export const onContactUpdated = /* @__PURE__ */ subscription({
  name: 'contact-updated',
  function: 'on-contact-updated',
  events: [ContactUpdated],
})

/** Engagement points for the leads an interaction is about. */
export const onInteractionLogged = /* @__PURE__ */ subscription({
  name: 'interaction-logged',
  function: 'on-engagement',
  events: [InteractionLogged],
})

/** Campaign opens and clicks: engagement points. */
export const onCampaignEngagement = /* @__PURE__ */ subscription({
  name: 'campaign-engagement',
  function: 'on-campaign-engagement',
  events: [EmailOpened, EmailClicked],
})

/** A deleted contact's projection becomes a tombstone: new references to it are refused. */
export const onContactDeleted = /* @__PURE__ */ subscription({
  name: 'contact-deleted',
  function: 'on-contact-deleted',
  events: [ContactDeleted],
})
