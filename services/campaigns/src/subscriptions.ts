/**
 * The events the campaigns service follows, each declared once by the contracts it receives: the
 * manifest lists these (rules with patterns built from the contracts) and each handler is built
 * from its declaration (`subscriber(subscription, handle)`, `data` typed and validated by them).
 * None follows campaigns' own events: its internal work goes through its work queues (DESIGN §3).
 */

import {
  ContactConsentChanged,
  ContactCreated,
  ContactDeleted,
  ContactErased,
  ContactMerged,
  ContactUpdated,
  InteractionLogged,
} from '@relay/contracts/contacts-events'
import { DealLost, DealWon, LeadConverted } from '@relay/contracts/pipeline-events'
import { TicketOpened, TicketSolved } from '@relay/contracts/service-desk-events'
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

/** Won deals and purchases: conversions credited to the click before them (domain/attribution.ts). */
export const conversions = /* @__PURE__ */ subscription({
  name: 'conversions',
  function: 'on-conversion',
  events: [DealWon, InteractionLogged],
})

/**
 * What starts and ends journeys (domain/journey.ts JOURNEY_EVENTS): one function, one rule. Our
 * own Email.Clicked / Email.Unsubscribed come through the email-activity queue (queues.ts).
 */
export const journeyEvents = /* @__PURE__ */ subscription({
  name: 'journey-events',
  function: 'on-journey-event',
  events: [ContactCreated, InteractionLogged, DealWon, DealLost, LeadConverted, TicketOpened, TicketSolved],
})

export const subscriptions = [audienceProjection, conversions, journeyEvents] as const
