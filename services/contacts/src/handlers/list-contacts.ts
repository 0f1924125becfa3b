import { ListContactsQuery } from '@relay/contracts/contacts'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { listContacts } from '../store.js'

/** GET /contacts?limit=&cursor= → `{ items, nextCursor? }`, newest first. */
export const handler = http({
  roles: READ_ROLES,
  query: ListContactsQuery,
  async handle({ query, caller }) {
    return { status: 200, body: await listContacts(caller.tenantId, query) }
  },
})
