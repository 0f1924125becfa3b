import { serviceKit } from '@relay/core/kit'

/** The handler factories of the analytics service; idempotency and dedupe records live in table `main`. */
export const { http, subscriber } = serviceKit({ service: 'analytics', table: 'main' })
