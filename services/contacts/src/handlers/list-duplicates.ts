import { httpNonPost } from '../kit.js'
import * as routes from '../routes/contacts.js'
import { listDuplicates } from '../store/duplicates.js'

/** GET /contacts/duplicates?limit=&cursor= → likely duplicate pairs with their score and reasons, to merge. */
export const handler = httpNonPost(routes.listDuplicates, async ({ query, caller }) => {
  return { status: 200, body: await listDuplicates(caller.tenantId, query) }
})
