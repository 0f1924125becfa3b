import { SUMMARY_ROLES } from '../access.js'
import { http } from '../http.js'
import { getSummary } from '../store.js'

/** GET /analytics/summary → `{ contacts: { total }, updatedAt }` of the caller's tenant. */
export const handler = http({
  roles: SUMMARY_ROLES,
  async handle({ caller }) {
    return { status: 200, body: await getSummary(caller.tenantId) }
  },
})
