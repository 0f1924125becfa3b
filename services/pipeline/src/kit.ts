import { serviceKit } from '@relay/core/kit'

/** The pipeline's handler factories; idempotency and event-dedupe records live in table `main`. */
export const { http, subscriber } = serviceKit({ service: 'pipeline', table: 'main' })
