import { Invalid } from '@relay/core/outcomes'
import { BUCKET_CHARS, drivingToken, queryTokens } from '../domain/search.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { searchContacts } from '../store/search.js'

/**
 * GET /contacts?q=&tag=&owner=&lifecycleStage=&companyId=&updatedSince=&sort=&limit=&cursor=
 * → `{ items, nextCursor? }`; newest first unless `sort=createdAt`.
 */
export const handler = httpNonPost(routes.listContacts, async ({ query, caller }) => {
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
})
