/** Routes: tickets (create, list with filters, read, change under the status rules). */
import {
  CreateTicket,
  ListTicketsQuery,
  Ticket,
  TicketPage,
  TicketParams,
  UpdateTicket,
} from '@relay/contracts/service-desk'
import { TicketRead } from '@relay/contracts/service-desk-field'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

export const createTicket = /* @__PURE__ */ route({
  method: 'POST',
  path: '/tickets',
  function: 'create-ticket',
  roles: WRITERS,
  summary:
    'Open a ticket (email, web, phone, chat, social); the requester is matched to a contact by email; routed and assigned unless an agent is named',
  body: CreateTicket,
  example: {
    subject: 'Espresso machine leaks',
    description: 'Water under the machine every morning since Monday.',
    requester: { email: 'siwon@example.com', name: 'Siwon Park' },
    channel: 'phone',
    priority: 'high',
    type: 'incident',
    category: 'hardware/leak',
    tags: ['espresso'],
  },
  response: { status: 201, schema: Ticket },
  errors: { 409: 'The named agent is at capacity', 422: 'No agent with the given assigneeId' },
})

export const listTickets = /* @__PURE__ */ route({
  method: 'GET',
  path: '/tickets',
  function: 'list-tickets',
  roles: ANY_ROLE,
  summary:
    'List tickets, newest first: status, priority, assigneeId, queueId, contactId, requesterEmail, tag, channel, breached, created/updated ranges',
  query: ListTicketsQuery,
  response: { status: 200, schema: TicketPage },
})

export const getTicket = /* @__PURE__ */ route({
  method: 'GET',
  path: '/tickets/{id}',
  function: 'get-ticket',
  roles: ANY_ROLE,
  params: TicketParams,
  summary: "Read a ticket, with its requester's warranty coverage (registrations)",
  response: { status: 200, schema: TicketRead },
})

export const updateTicket = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/tickets/{id}',
  function: 'update-ticket',
  roles: WRITERS,
  params: TicketParams,
  summary:
    'Change a ticket (null clears): status under the rules (closed is final, solved only reopens), priority, type, category, tags, company',
  body: UpdateTicket,
  example: { priority: 'urgent', tags: ['espresso', 'vip'] },
  response: { status: 200, schema: Ticket },
  errors: { 409: 'The status move is not allowed, or the ticket is closed' },
})

export const ticketRoutes = [createTicket, listTickets, getTicket, updateTicket] as const
