/** Routes: agents (skills, languages, capacity, availability) and the manual reassignment of a ticket. */
import {
  Agent,
  AgentPage,
  AgentParams,
  Assignment,
  CreateAgent,
  IdParams,
  ListQuery,
  Reassign,
  UpdateAgent,
} from '@relay/contracts/service-desk-sla'
import { ANY_ROLE, MANAGERS, route } from '@relay/core/manifest'

/** Who runs the desk: support staff and their managers. */
const DESK: readonly ('admin' | 'manager' | 'support')[] = ['admin', 'manager', 'support']

export const createAgent = /* @__PURE__ */ route({
  method: 'POST',
  path: '/agents',
  function: 'create-agent',
  roles: MANAGERS,
  summary: 'Add an agent: skills, languages, capacity (open tickets held at once), availability',
  body: CreateAgent,
  example: {
    name: 'Siriporn K.',
    email: 'siriporn@example.com',
    skills: ['billing'],
    languages: ['th', 'en'],
    capacity: 8,
  },
  response: { status: 201, schema: Agent },
})

export const listAgents = /* @__PURE__ */ route({
  method: 'GET',
  path: '/agents',
  function: 'list-agents',
  roles: ANY_ROLE,
  summary: 'List agents with their current load',
  query: ListQuery,
  response: { status: 200, schema: AgentPage },
})

export const getAgent = /* @__PURE__ */ route({
  method: 'GET',
  path: '/agents/{id}',
  function: 'get-agent',
  roles: ANY_ROLE,
  summary: 'One agent with its current load',
  params: AgentParams,
  response: { status: 200, schema: Agent },
})

export const updateAgent = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/agents/{id}',
  function: 'update-agent',
  // Agents set their own availability through their managers' desk tools; profile edits are managers'.
  roles: DESK,
  summary: 'Change an agent (If-Match): skills, languages, capacity, availability',
  params: AgentParams,
  body: UpdateAgent,
  example: { availability: 'away' },
  response: { status: 200, schema: Agent },
})

export const reassignTicket = /* @__PURE__ */ route({
  method: 'POST',
  path: '/tickets/{id}/assignment',
  function: 'reassign-ticket',
  roles: DESK,
  summary: 'Reassign a ticket: to an agent (capacity checked), or to a queue whose best agent takes it',
  params: IdParams,
  body: Reassign,
  example: { queueId: '01JD3Y0C6Z8R4F2G9QK7WXN5TB' },
  errors: { 409: 'The agent is at capacity', 422: 'No such agent or queue' },
  response: { status: 200, schema: Assignment },
})

export const agentRoutes = [createAgent, listAgents, getAgent, updateAgent, reassignTicket] as const
