import { serviceKit } from '@relay/core/kit'

/** The contacts service's handler factories; idempotency, event and message dedupe records live in table `main`. */
export const { http, subscriber, worker } = serviceKit({ service: 'contacts', table: 'main' })
