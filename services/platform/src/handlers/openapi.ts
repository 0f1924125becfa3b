import { buildOpenApi } from '@relay/contracts/openapi'
import { services } from '../../../index.js'
import { httpNonPost } from '../kit.js'
import { openapi } from '../routes.js'
import { VERSION } from '../version.js'

// Built on the first request of a cold start, then served from memory: the manifests cannot change
// while the function lives.
let document: Record<string, unknown> | undefined

/** GET /openapi.json (public) → the OpenAPI 3.1 document of every registered route and event. */
export const handler = httpNonPost(openapi, async () => {
  document ??= buildOpenApi(services, { version: VERSION })
  return { status: 200, body: document, headers: { 'cache-control': 'public, max-age=300' } }
})
