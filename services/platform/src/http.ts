import { createHttp } from '@relay/core/http'

/** Handler factory of the platform routes. No table: they are GET-only and public, nothing to make idempotent. */
export const http = createHttp({ service: 'platform' })
