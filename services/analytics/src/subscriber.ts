import { createSubscriber } from '@relay/core/subscriber'

/** The event handler factory of the analytics service; dedupe records live in table `main`. */
export const subscriber = createSubscriber({ service: 'analytics', table: 'main' })
