import {
  EmailBounced,
  EmailClicked,
  EmailDelivered,
  EmailOpened,
  EmailSent,
} from '@relay/contracts/campaigns-events'
import {
  ContactCreated,
  ContactDeleted,
  ContactErased,
  InteractionLogged,
} from '@relay/contracts/contacts-events'
import {
  DealCreated,
  DealDeleted,
  DealLost,
  DealStageChanged,
  DealUpdated,
  DealWon,
  LeadConverted,
  LeadCreated,
  LeadUpdated,
} from '@relay/contracts/pipeline-events'
import { TicketOpened, TicketRated, TicketSolved } from '@relay/contracts/service-desk-events'
import { subscription } from '@relay/core/manifest'

/**
 * Every event a KPI is made of, from every service, into the daily aggregates (domain/ingest.ts
 * says what each one adds). One rule and one function: the events share one fold, and one
 * function keeps one warm container for a busy tenant instead of a dozen cold ones.
 */
export const aggregateEvents = /* @__PURE__ */ subscription({
  name: 'aggregate-events',
  function: 'aggregate-events',
  events: [
    ContactCreated,
    ContactDeleted,
    InteractionLogged,
    LeadCreated,
    LeadUpdated,
    LeadConverted,
    DealCreated,
    DealUpdated,
    DealStageChanged,
    DealWon,
    DealLost,
    DealDeleted,
    TicketOpened,
    TicketSolved,
    TicketRated,
    EmailSent,
    EmailDelivered,
    EmailOpened,
    EmailClicked,
    EmailBounced,
  ],
})

/** Contact.Erased drops what analytics keeps per contact (its buyer and click state); counts stay. */
export const eraseContact = /* @__PURE__ */ subscription({
  name: 'erase-contact',
  function: 'erase-contact',
  events: [ContactErased],
})
