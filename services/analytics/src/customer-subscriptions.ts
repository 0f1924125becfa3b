import { EmailClicked, EmailComplained, EmailOpened } from '@relay/contracts/campaigns-events'
import { ContactErased, ContactMerged, InteractionLogged } from '@relay/contracts/contacts-events'
import { DealWon } from '@relay/contracts/pipeline-events'
import { TicketOpened } from '@relay/contracts/service-desk-events'
import { subscription } from '@relay/core/manifest'

/** Purchases (purchase interactions, deals won) and engagement (interactions, opens, clicks) per contact. */
export const customerActivity = /* @__PURE__ */ subscription({
  name: 'customer-activity',
  function: 'on-customer-activity',
  events: [InteractionLogged, DealWon, EmailOpened, EmailClicked],
})

/** Contact.Erased: the contact's purchases, engagement and scores go. */
export const customerErased = /* @__PURE__ */ subscription({
  name: 'customer-erased',
  function: 'on-customer-erased',
  events: [ContactErased],
})

/** Contact.Merged: what the absorbed contact bought and did counts for the one that absorbed it. */
export const customerMerged = /* @__PURE__ */ subscription({
  name: 'customer-merged',
  function: 'on-customer-merged',
  events: [ContactMerged],
})

/** Tickets by category and email complaints, checked against their daily norm as they come. */
export const earlyWarning = /* @__PURE__ */ subscription({
  name: 'early-warning',
  function: 'on-early-warning',
  events: [TicketOpened, EmailComplained],
})

export const customerSubscriptions = [customerActivity, customerErased, customerMerged, earlyWarning] as const
