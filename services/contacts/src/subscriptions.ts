/**
 * The events the contacts service follows, each declared once by the contracts it receives: the
 * manifest lists these (rules with patterns built from the contracts) and each handler is built
 * from its declaration (`subscriber(subscription, handle)`, `data` typed and validated by them).
 */
import { EmailClicked, EmailOpened, EmailSent, EmailUnsubscribed } from '@relay/contracts/campaigns-events'
import { DealCreated, DealLost, DealWon, LeadConverted } from '@relay/contracts/pipeline-events'
import { TicketOpened, TicketSolved } from '@relay/contracts/service-desk-events'
import { subscription } from '@relay/core/manifest'

/** An unsubscribe withdraws the contact's email consent. */
export const onEmailUnsubscribed = /* @__PURE__ */ subscription({
  name: 'email-unsubscribed',
  function: 'on-email-unsubscribed',
  events: [EmailUnsubscribed],
})

/** A converted lead becomes a contact under the id the pipeline chose. */
export const onLeadConverted = /* @__PURE__ */ subscription({
  name: 'on-lead-converted',
  function: 'on-lead-converted',
  events: [LeadConverted],
})

/** Deals of a contact show on its timeline. */
export const dealActivity = /* @__PURE__ */ subscription({
  name: 'deal-activity',
  function: 'on-related-activity',
  events: [DealCreated, DealWon, DealLost],
})

/** Tickets of a contact show on its timeline. */
export const ticketActivity = /* @__PURE__ */ subscription({
  name: 'ticket-activity',
  function: 'on-related-activity',
  events: [TicketOpened, TicketSolved],
})

/** Campaign emails to a contact show on its timeline. */
export const emailActivity = /* @__PURE__ */ subscription({
  name: 'email-activity',
  function: 'on-related-activity',
  events: [EmailSent, EmailOpened, EmailClicked],
})

/** Every event that becomes a timeline entry: one function, one handler, three rules. */
export const relatedActivity = {
  events: [...dealActivity.events, ...ticketActivity.events, ...emailActivity.events],
} as const

export const subscriptions = [
  onEmailUnsubscribed,
  onLeadConverted,
  dealActivity,
  ticketActivity,
  emailActivity,
] as const
