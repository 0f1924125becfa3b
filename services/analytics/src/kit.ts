import { httpKit, nonPostHttpKit, subscriberKit } from '@relay/core/kit'

// Idempotency and dedupe records live in table `main`.
const service = { service: 'analytics', table: 'main' }

/** The handler factories of the analytics service: one export each, marked pure, so a
 * handler bundles only the one it uses (esbuild drops an unused pure call and what only it reaches). */
export const http = /* @__PURE__ */ httpKit(service)
/** For every route but POST: without the Idempotency-Key step (it acts on POST only) and its store. */
export const httpNonPost = /* @__PURE__ */ nonPostHttpKit(service)
export const subscriber = /* @__PURE__ */ subscriberKit(service)
