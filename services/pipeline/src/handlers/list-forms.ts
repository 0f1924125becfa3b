import { PaginationQuery } from '@relay/contracts/common'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { listForms } from '../store/forms.js'

/** GET /forms → the tenant's web forms, newest first. */
export const handler = http({
  roles: CONFIG_ROLES,
  query: PaginationQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listForms(caller.tenantId, query) }
  },
})
