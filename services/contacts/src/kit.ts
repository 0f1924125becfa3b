import { httpKit, subscriberKit, workerKit } from '@relay/core/kit'

// Idempotency, event and message dedupe records live in table `main`.
const service = { service: 'contacts', table: 'main' }

/** The contacts service's handler factories, one export each so a handler bundles only its own. */
export const http = httpKit(service)
export const subscriber = subscriberKit(service)
export const worker = workerKit(service)
