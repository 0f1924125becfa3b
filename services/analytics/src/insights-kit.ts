import { subscriberKit } from '@relay/core/kit'

/**
 * Subscribers of customer analytics and early warnings: their dedupe records live in table
 * `customers`, beside what they write. The aggregates' subscriber receives some of the same events
 * (Deal.Won, Interaction.Logged...) and dedupes per event id in table `main`: sharing that table
 * would make whichever commits second see the event as done.
 */
export const customerSubscriber = /* @__PURE__ */ subscriberKit({ service: 'analytics', table: 'customers' })
