import { createSubscriber } from '@relay/core/subscriber'

/** The event handler factory of the pipeline service; dedupe records live in table `main`. */
export const subscriber = createSubscriber({ service: 'pipeline', table: 'main' })
