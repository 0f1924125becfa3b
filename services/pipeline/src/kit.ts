import { httpKit, subscriberKit } from '@relay/core/kit'

// Idempotency and event-dedupe records live in table `main`.
const service = { service: 'pipeline', table: 'main' }

/** The pipeline's handler factories, one export each so a handler bundles only its own. */
export const http = httpKit(service)
export const subscriber = subscriberKit(service)
