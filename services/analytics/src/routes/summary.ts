import { Summary } from '@relay/contracts/analytics'
import { ANY_ROLE, route } from '@relay/core/manifest'

/** Aggregates are no secret within a tenant: every role may read them. */
export const getSummary = /* @__PURE__ */ route({
  method: 'GET',
  path: '/analytics/summary',
  function: 'get-summary',
  roles: ANY_ROLE,
  summary: "The tenant's aggregates (contact count)",
  response: { status: 200, schema: Summary },
})

export const summaryRoutes = [getSummary] as const
