import { serviceKit } from '@relay/core/kit'

/** No table: the platform routes are GET-only and public, nothing to make idempotent. */
export const { http } = serviceKit({ service: 'platform' })
