import { httpNonPost } from '../kit.js'
import * as routes from '../routes/suppressions.js'
import { listSuppressions } from '../store/suppressions.js'

/** GET /suppressions → a page of suppressed addresses, in address order. */
export const handler = httpNonPost(routes.listSuppressions, async ({ query, caller }) => ({
  status: 200,
  body: await listSuppressions(caller.tenantId, query),
}))
