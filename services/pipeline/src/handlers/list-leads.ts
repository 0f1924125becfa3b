import { ListLeadsQuery } from '@relay/contracts/leads'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listLeads } from '../store/leads.js'

/** GET /leads?status=&owner=&source=&limit=&cursor= → `{ items, nextCursor? }`, newest first. */
export const handler = http({
  roles: READ_ROLES,
  query: ListLeadsQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listLeads(caller.tenantId, query) }
  },
})
