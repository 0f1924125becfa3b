import type { Queue } from '@relay/contracts/service-desk-sla'
import { newId, nowIso } from '@relay/core/ids'
import { http } from '../kit.js'
import * as routes from '../routes/queues.js'
import { insertQueue } from '../store/queues.js'

/** POST /ticket-queues → 201 + Location. */
export const handler = http(routes.createQueue, async ({ body, caller }) => {
  const queue: Queue = {
    id: newId(),
    name: body.name,
    ...(body.description ? { description: body.description } : {}),
    skills: [...new Set(body.skills ?? [])],
    ...(body.language ? { language: body.language } : {}),
    version: 1,
    createdAt: nowIso(),
  }
  await insertQueue(caller.tenantId, queue)
  return { status: 201, body: queue, version: 1, location: `/ticket-queues/${queue.id}` }
})
