import { PaginationQuery } from '@relay/contracts/common'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listDuplicates } from '../store/duplicates.js'

/** GET /contacts/duplicates?limit=&cursor= → likely duplicate pairs with their score and reasons, to merge. */
export const handler = http({
  roles: READ_ROLES,
  query: PaginationQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listDuplicates(caller.tenantId, query) }
  },
})
