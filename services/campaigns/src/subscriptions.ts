/**
 * The events the campaigns service follows, each declared once by the contracts it receives: the
 * manifest lists these (rules with patterns built from the contracts) and each handler is built
 * from its declaration (`subscriber(subscription, handle)`, `data` typed and validated by them).
 */

import {
  EmailBounced,
  EmailClicked,
  EmailComplained,
  EmailDelivered,
  EmailOpened,
  EmailSent,
  EmailUnsubscribed,
} from '@relay/contracts/campaigns-events'
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

/** The campaign's own email events move its report's counters (store/metrics.ts). */
export const campaignMetrics = /* @__PURE__ */ subscription({
  name: 'campaign-metrics',
  function: 'count-email-event',
  events: [
    EmailSent,
    EmailDelivered,
    EmailOpened,
    EmailClicked,
    EmailBounced,
    EmailComplained,
    EmailUnsubscribed,
  ],
})

/** Won deals and purchases: conversions credited to the click before them (domain/attribution.ts). */
export const conversions = /* @__PURE__ */ subscription({
  name: 'conversions',
  function: 'on-conversion',
  events: [DealWon, InteractionLogged],
})

/** What starts and ends journeys (domain/journey.ts JOURNEY_EVENTS): one function, one rule. */
export const journeyEvents = /* @__PURE__ */ subscription({
  name: 'journey-events',
  function: 'on-journey-event',
  events: [
    ContactCreated,
    InteractionLogged,
    DealWon,
    DealLost,
    LeadConverted,
    TicketOpened,
    TicketSolved,
    EmailClicked,
    EmailUnsubscribed,
  ],
})

export const subscriptions = [audienceProjection, campaignMetrics, conversions, journeyEvents] as const
