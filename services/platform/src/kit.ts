import { nonPostHttpKit } from '@relay/core/kit'

/** No table and GET-only public routes: nothing to make idempotent, so no Idempotency-Key step. */
export const httpNonPost = /* @__PURE__ */ nonPostHttpKit({ service: 'platform' })
