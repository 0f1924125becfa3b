import { httpNonPost } from '../kit.js'
import * as routes from '../routes/queues.js'
import { listQueues } from '../store/queues.js'

/** GET /ticket-queues?limit=&cursor= → `{ items, nextCursor? }`. */
export const handler = httpNonPost(routes.listQueues, async ({ query, caller }) => ({
  status: 200,
  body: await listQueues(caller.tenantId, query),
}))
