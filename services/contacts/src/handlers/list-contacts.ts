import { ListContactsQuery } from '@relay/contracts/contacts'
import { Invalid } from '@relay/core/outcomes'
import { READ_ROLES } from '../access.js'
import { BUCKET_CHARS, drivingToken, queryTokens } from '../domain/search.js'
import { http } from '../http.js'
import { searchContacts } from '../store/search.js'

/**
 * GET /contacts?q=&tag=&owner=&lifecycleStage=&companyId=&updatedSince=&sort=&limit=&cursor=
 * → `{ items, nextCursor? }`; newest first unless `sort=createdAt`.
 */
export const handler = http({
  roles: READ_ROLES,
  query: ListContactsQuery,
  async handle({ query, caller }) {
    if (query.q !== undefined && [...(drivingToken(queryTokens(query.q)) ?? '')].length < BUCKET_CHARS) {
      throw new Invalid([
        {
          field: 'query.q',
          code: 'too_short',
          message: `Give at least one word of ${BUCKET_CHARS} or more letters or digits`,
        },
      ])
    }
    return { status: 200, body: await searchContacts(caller.tenantId, query) }
  },
})
