import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/queues.js'
import { getQueue } from '../store/queues.js'

/** GET /ticket-queues/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getQueue, async ({ params, caller }) => {
  const queue = await getQueue(caller.tenantId, params.id)
  if (!queue) throw new NotFound('No queue with this id.')
  return { status: 200, body: queue, version: queue.version }
})
