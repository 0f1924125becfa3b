import { published } from '@relay/contracts/event-contract'
import { SERVICE_DESK_EVENTS } from '@relay/contracts/service-desk-events'
import { defineService } from '@relay/core/manifest'
import { agentRoutes } from './routes/agents.js'
import { commentRoutes } from './routes/comments.js'
import { fieldRoutes } from './routes/field.js'
import { intakeRoutes } from './routes/intake.js'
import { queueRoutes } from './routes/queues.js'
import { slaFunctions, slaRoutes } from './routes/sla.js'
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
        // gsi7: tickets waiting for an agent, by queue, highest priority then oldest (sparse).
        { name: 'gsi7', partitionKey: 'gsi7pk', sortKey: 'gsi7sk' },
      ],
      ttl: 'ttl',
      outbox: true,
    },
  },
  functions: {
    // Every ticket write runs the SLA step (a breach it reveals may enqueue its escalation) and the
    // load step (a reopened ticket whose agent is full goes back to assign-ticket).
    'create-ticket': {
      entry: 'handlers/create-ticket.ts',
      tables: { main: 'write' },
      sendsTo: ['assign-ticket', 'sla-escalations'],
    },
    'list-tickets': { entry: 'handlers/list-tickets.ts', tables: { main: 'read' } },
    'get-ticket': { entry: 'handlers/get-ticket.ts', tables: { main: 'read' } },
    // A solve enqueues its satisfaction survey (send-survey) in the same transaction.
    'update-ticket': {
      entry: 'handlers/update-ticket.ts',
      tables: { main: 'write' },
      sendsTo: ['send-survey', 'sla-escalations', 'assign-ticket'],
    },
    // A public reply is emailed by send-reply, enqueued with the comment.
    'add-comment': {
      entry: 'handlers/add-comment.ts',
      tables: { main: 'write' },
      sendsTo: ['send-reply', 'send-survey', 'sla-escalations', 'assign-ticket'],
    },
    'list-comments': { entry: 'handlers/list-comments.ts', tables: { main: 'read' } },
    'send-reply': { entry: 'handlers/send-reply.ts', tables: { main: 'write' }, sendsEmail: true },
    // Routing and least-loaded assignment of a new ticket (desk-sla), and of waiting tickets to an
    // agent with room again: each pick-up asks for the next one (assign-ticket), as does a release.
    'assign-ticket': {
      entry: 'handlers/assign-ticket.ts',
      tables: { main: 'write' },
      sendsTo: ['sla-escalations', 'assign-ticket'],
    },
    ...slaFunctions,
    // Requester projection from contacts' events; merge re-points and erasure anonymises tickets.
    'on-contact-changed': {
      entry: 'handlers/on-contact-changed.ts',
      tables: { main: 'write' },
      timeoutSeconds: 120,
    },
    // desk-mail: inbound email (raw MIME, quarantine), the public support form, CSAT, registrations, visits.
    'receive-inbound': {
      entry: 'handlers/receive-inbound.ts',
      tables: { main: 'write' },
      sendsTo: ['assign-ticket', 'sla-escalations'],
      memoryMb: 512,
    },
    'list-quarantine': { entry: 'handlers/list-quarantine.ts', tables: { main: 'read' } },
    'get-quarantined': { entry: 'handlers/get-quarantined.ts', tables: { main: 'read' } },
    'create-support-form': { entry: 'handlers/create-support-form.ts', tables: { main: 'write' } },
    'list-support-forms': { entry: 'handlers/list-support-forms.ts', tables: { main: 'read' } },
    'submit-support-form': {
      entry: 'handlers/submit-support-form.ts',
      tables: { main: 'write' },
      sendsTo: ['assign-ticket'],
    },
    // The survey link's token is verified with the link key; the sender signs it.
    'click-csat': { entry: 'handlers/click-csat.ts', tables: { main: 'write' }, signsLinks: true },
    'rate-csat': { entry: 'handlers/rate-csat.ts', tables: { main: 'write' }, signsLinks: true },
    'get-satisfaction': { entry: 'handlers/get-satisfaction.ts', tables: { main: 'read' } },
    'send-survey': {
      entry: 'handlers/send-survey.ts',
      tables: { main: 'write' },
      sendsEmail: true,
      signsLinks: true,
    },
    'create-registration': { entry: 'handlers/create-registration.ts', tables: { main: 'write' } },
    'list-registrations': { entry: 'handlers/list-registrations.ts', tables: { main: 'read' } },
    'get-registration': { entry: 'handlers/get-registration.ts', tables: { main: 'read' } },
    'update-registration': { entry: 'handlers/update-registration.ts', tables: { main: 'write' } },
    'book-visit': { entry: 'handlers/book-visit.ts', tables: { main: 'write' } },
    'list-visits': { entry: 'handlers/list-visits.ts', tables: { main: 'read' } },
    'get-visit': { entry: 'handlers/get-visit.ts', tables: { main: 'read' } },
    'update-visit': { entry: 'handlers/update-visit.ts', tables: { main: 'write' } },
  },
  routes: [
    ...ticketRoutes,
    ...commentRoutes,
    ...intakeRoutes,
    ...fieldRoutes,
    ...slaRoutes,
    ...agentRoutes,
    ...queueRoutes,
  ],
  subscriptions: [...subscriptions],
  schedules: [{ name: 'sla-check', expression: 'rate(1 minute)', function: 'check-sla' }],
  queues: {
    'sla-escalations': {
      consumer: 'escalate-ticket',
      batchSize: 5,
      description: 'Breached SLA targets to escalate: { tenantId, ticketId, target, cycle, policyId }',
    },
    'send-survey': {
      consumer: 'send-survey',
      batchSize: 10,
      description:
        'Solved tickets whose satisfaction survey may be due (once per ticket): { tenantId, ticketId, solvedAt }',
    },
    'assign-ticket': {
      consumer: 'assign-ticket',
      batchSize: 10,
      description:
        'New tickets to route and assign: { tenantId, ticketId }; agents with room for a waiting ticket: { tenantId, agentId }',
    },
    'send-reply': {
      consumer: 'send-reply',
      batchSize: 10,
      description: 'Public replies to email to the requester: { tenantId, ticketId, commentId }',
    },
  },
  publishes: SERVICE_DESK_EVENTS.map(published),
})
