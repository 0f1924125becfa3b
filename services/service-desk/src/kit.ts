import { httpKit, nonPostHttpKit, subscriberKit, workerKit } from '@relay/core/kit'

// Idempotency, event and message dedupe records live in table `main`.
const service = { service: 'service-desk', table: 'main' }

/** The service desk's handler factories: one export each, marked pure, so a handler bundles only
 * the one it uses (esbuild drops an unused pure call and what only it reaches). */
export const http = /* @__PURE__ */ httpKit(service)
/** For every route but POST: without the Idempotency-Key step (it acts on POST only) and its store. */
export const httpNonPost = /* @__PURE__ */ nonPostHttpKit(service)
export const subscriber = /* @__PURE__ */ subscriberKit(service)
export const worker = /* @__PURE__ */ workerKit(service)
