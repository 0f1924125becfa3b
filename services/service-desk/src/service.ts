import { published } from '@relay/contracts/event-contract'
import { SERVICE_DESK_EVENTS } from '@relay/contracts/service-desk-events'
import { defineService } from '@relay/core/manifest'
import { commentRoutes } from './routes/comments.js'
import { ticketRoutes } from './routes/tickets.js'
import { subscriptions } from './subscriptions.js'

/**
 * service-desk: tickets from every channel, their conversation (replies emailed, inbound mail
 * threaded), SLAs on business hours, queues and assignment, satisfaction surveys, registrations and
 * visits. Indexes of table `main`: store/table.ts (tickets) and store/sla.ts (gsi6, due clocks).
 */
export const manifest = defineService({
  name: 'service-desk',
  source: 'crm.service-desk',
  tables: {
    main: {
      partitionKey: 'pk',
      sortKey: 'sk',
      gsis: [
        // gsi1: every ticket, and tag items by tag; gsi2: by status; gsi3: by agent; gsi4: by queue;
        // gsi5: by requester (contact, else email). Sort keys are ticket ids (ULIDs): newest first.
        { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
        { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
        { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
        { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
        { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
        // gsi6: SLA clocks by the time the scheduled check must look at them (sharded, sparse).
        { name: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
      ],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {
    // Ticket writes run the SLA step (policies, clocks) and enqueue assignment with the ticket.
    'create-ticket': {
      entry: 'handlers/create-ticket.ts',
      tables: { main: 'write' },
      sendsTo: ['assign-ticket'],
    },
    'list-tickets': { entry: 'handlers/list-tickets.ts', tables: { main: 'read' } },
    'get-ticket': { entry: 'handlers/get-ticket.ts', tables: { main: 'read' } },
    'update-ticket': { entry: 'handlers/update-ticket.ts', tables: { main: 'write' } },
    // A public reply is emailed by send-reply, enqueued with the comment.
    'add-comment': { entry: 'handlers/add-comment.ts', tables: { main: 'write' }, sendsTo: ['send-reply'] },
    'list-comments': { entry: 'handlers/list-comments.ts', tables: { main: 'read' } },
    'send-reply': { entry: 'handlers/send-reply.ts', tables: { main: 'write' }, sendsEmail: true },
    // Routing and least-loaded assignment of a new ticket (desk-sla).
    'assign-ticket': { entry: 'handlers/assign-ticket.ts', tables: { main: 'write' } },
    // Requester projection from contacts' events; merge re-points and erasure anonymises tickets.
    'on-contact-changed': {
      entry: 'handlers/on-contact-changed.ts',
      tables: { main: 'write' },
      timeoutSeconds: 120,
    },
  },
  routes: [...ticketRoutes, ...commentRoutes],
  subscriptions: [...subscriptions],
  schedules: [],
  queues: {
    'assign-ticket': {
      consumer: 'assign-ticket',
      batchSize: 10,
      description: 'New tickets to route and assign: { tenantId, ticketId }',
    },
    'send-reply': {
      consumer: 'send-reply',
      batchSize: 10,
      description: 'Public replies to email to the requester: { tenantId, ticketId, commentId }',
    },
  },
  publishes: SERVICE_DESK_EVENTS.map(published),
})
