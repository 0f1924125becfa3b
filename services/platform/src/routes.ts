import { route } from '@relay/core/manifest'

/** Liveness is public: load balancers and uptime checks carry no token. */
export const health = /* @__PURE__ */ route({
  method: 'GET',
  path: '/health',
  function: 'health',
  roles: 'public',
  summary: 'Liveness and version',
})

/** The API's description is public: client generators fetch it before anyone signs in. */
export const openapi = /* @__PURE__ */ route({
  method: 'GET',
  path: '/openapi.json',
  function: 'openapi',
  roles: 'public',
  summary: 'This OpenAPI 3.1 document, with the event catalogue under x-events',
})

export const platformRoutes = [health, openapi] as const
