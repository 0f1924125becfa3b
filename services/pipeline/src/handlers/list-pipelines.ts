import { PaginationQuery } from '@relay/contracts/common'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listPipelines } from '../store/pipelines.js'

/** GET /pipelines → the tenant's stored pipelines, newest first (the built-in default is at /pipelines/000…0). */
export const handler = http({
  roles: READ_ROLES,
  query: PaginationQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listPipelines(caller.tenantId, query) }
  },
})
