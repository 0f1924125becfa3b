import { createSubscriber } from '@relay/core/subscriber'

/** The event handler factory of the contacts service; dedupe records live in table `main`. */
export const subscriber = createSubscriber({ service: 'contacts', table: 'main' })
