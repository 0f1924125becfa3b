import { httpKit } from '@relay/core/kit'

/** No table: the platform routes are GET-only and public, nothing to make idempotent (pure: see analytics' kit). */
export const http = /* @__PURE__ */ httpKit({ service: 'platform' })
