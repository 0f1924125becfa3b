/**
 * Routes: ticket queues and the routing rules that fill them. Under `/ticket-queues`, apart from
 * the local runtime's `/_local/queues` (work queues, a different thing).
 */
import {
  CreateQueue,
  IdParams,
  ListQuery,
  PutRouting,
  Queue,
  QueuePage,
  Routing,
} from '@relay/contracts/service-desk-sla'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

export const createQueue = /* @__PURE__ */ route({
  method: 'POST',
  path: '/ticket-queues',
  function: 'create-queue',
  roles: MANAGERS,
  summary: 'Create a ticket queue: the skills and language its agents need',
  body: CreateQueue,
  example: { name: 'Billing (Thai)', skills: ['billing'], language: 'th' },
  response: { status: 201, schema: Queue },
})

export const listQueues = /* @__PURE__ */ route({
  method: 'GET',
  path: '/ticket-queues',
  function: 'list-queues',
  roles: ANY_ROLE,
  summary: 'List ticket queues',
  query: ListQuery,
  response: { status: 200, schema: QueuePage },
})

export const getQueue = /* @__PURE__ */ route({
  method: 'GET',
  path: '/ticket-queues/{id}',
  function: 'get-queue',
  roles: ANY_ROLE,
  summary: 'One ticket queue',
  params: IdParams,
  response: { status: 200, schema: Queue },
})

export const getRouting = /* @__PURE__ */ route({
  method: 'GET',
  path: '/settings/ticket-routing',
  function: 'get-routing',
  roles: ANY_ROLE,
  summary: 'The routing rules: which queue a new ticket goes to',
  response: { status: 200, schema: Routing },
})

export const putRouting = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/settings/ticket-routing',
  function: 'put-routing',
  roles: MANAGERS,
  summary:
    'Replace the routing rules (If-Match); the first matching rule names the queue (422 for an unknown queue)',
  body: PutRouting,
  example: { rules: [], defaultQueueId: null },
  response: { status: 200, schema: Routing },
})

export const queueRoutes = [createQueue, listQueues, getQueue, getRouting, putRouting] as const
