/** Routes: business hours, SLA policies, agreements (service contracts on companies), a ticket's SLA. */
import { TicketSla } from '@relay/contracts/service-desk'
import {
  Agreement,
  AgreementPage,
  BusinessHours,
  CreateAgreement,
  IdParams,
  ListAgreementsQuery,
  ListQuery,
  Policy,
  PolicyInput,
  PolicyPage,
  PutBusinessHours,
} from '@relay/contracts/service-desk-sla'
import { ANY_ROLE, type FunctionDef, MANAGERS, route } from '@relay/core/manifest'

export const getBusinessHours = /* @__PURE__ */ route({
  method: 'GET',
  path: '/sla/business-hours',
  function: 'get-business-hours',
  roles: ANY_ROLE,
  summary: "The tenant's business hours (time zone, weekly windows, holidays) and default SLA policy",
  response: { status: 200, schema: BusinessHours },
})

export const putBusinessHours = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/sla/business-hours',
  function: 'put-business-hours',
  roles: MANAGERS,
  summary: 'Replace the business hours (If-Match); clocks already running keep their due times',
  body: PutBusinessHours,
  example: {
    timeZone: 'Europe/London',
    hours: {
      mon: [{ start: '09:00', end: '17:30' }],
      tue: [{ start: '09:00', end: '17:30' }],
      wed: [{ start: '09:00', end: '17:30' }],
      thu: [{ start: '09:00', end: '17:30' }],
      fri: [{ start: '09:00', end: '17:00' }],
    },
    holidays: ['2026-12-25', '2026-12-28'],
  },
  response: { status: 200, schema: BusinessHours },
})

export const createPolicy = /* @__PURE__ */ route({
  method: 'POST',
  path: '/sla/policies',
  function: 'create-policy',
  roles: MANAGERS,
  summary: 'Create an SLA policy: targets by priority in business minutes, warning lead, escalations',
  body: PolicyInput,
  example: {
    name: 'Standard',
    targets: {
      urgent: { first_response: 30, next_response: 60, resolution: 240 },
      high: { first_response: 60, next_response: 120, resolution: 480 },
      normal: { first_response: 240, resolution: 1440 },
    },
    warnBeforeMinutes: 15,
    escalations: [{ target: 'resolution', raisePriority: true, notify: ['support-leads@example.com'] }],
  },
  response: { status: 201, schema: Policy },
})

export const listPolicies = /* @__PURE__ */ route({
  method: 'GET',
  path: '/sla/policies',
  function: 'list-policies',
  roles: ANY_ROLE,
  summary: 'List SLA policies',
  query: ListQuery,
  response: { status: 200, schema: PolicyPage },
})

export const getPolicy = /* @__PURE__ */ route({
  method: 'GET',
  path: '/sla/policies/{id}',
  function: 'get-policy',
  roles: ANY_ROLE,
  summary: 'One SLA policy',
  params: IdParams,
  response: { status: 200, schema: Policy },
})

export const putPolicy = /* @__PURE__ */ route({
  method: 'PUT',
  path: '/sla/policies/{id}',
  function: 'put-policy',
  roles: MANAGERS,
  summary: 'Replace an SLA policy (If-Match); new clocks use it, running ones keep their targets',
  params: IdParams,
  body: PolicyInput,
  example: { name: 'Standard', targets: { normal: { first_response: 120, resolution: 960 } } },
  response: { status: 200, schema: Policy },
})

export const createAgreement = /* @__PURE__ */ route({
  method: 'POST',
  path: '/sla/agreements',
  function: 'create-agreement',
  roles: MANAGERS,
  summary:
    "Add a company's service contract: the SLA policy of its tickets between two dates (422 for an unknown policy)",
  body: CreateAgreement,
  example: {
    companyId: '01JD3Y0C6Z8R4F2G9QK7WXN5TB',
    policyId: '01JD3Y0C6Z8R4F2G9QK7WXN5TC',
    name: 'Gold support',
    startsOn: '2026-01-01',
  },
  response: { status: 201, schema: Agreement },
})

export const listAgreements = /* @__PURE__ */ route({
  method: 'GET',
  path: '/sla/agreements',
  function: 'list-agreements',
  roles: ANY_ROLE,
  summary: 'List agreements (service contracts), newest first; ?companyId= for one company',
  query: ListAgreementsQuery,
  response: { status: 200, schema: AgreementPage },
})

export const getTicketSla = /* @__PURE__ */ route({
  method: 'GET',
  path: '/tickets/{id}/sla',
  function: 'get-ticket-sla',
  roles: ANY_ROLE,
  summary: "A ticket's SLA clocks: every target and cycle, due times, warnings, breaches",
  params: IdParams,
  response: { status: 200, schema: TicketSla },
})

export const slaRoutes = [
  getBusinessHours,
  putBusinessHours,
  createPolicy,
  listPolicies,
  getPolicy,
  putPolicy,
  createAgreement,
  listAgreements,
  getTicketSla,
] as const

const reads = (name: string): FunctionDef => ({ entry: `handlers/${name}.ts`, tables: { main: 'read' } })
const writes = (name: string): FunctionDef => ({ entry: `handlers/${name}.ts`, tables: { main: 'write' } })

/**
 * The manifest's functions of desk-sla's routes, schedule and queue (business hours, policies,
 * agreements, agents, queues, routing, reassignment, the SLA check, escalations): one spread in
 * `functions`, declared beside the routes they serve.
 */
export const slaFunctions = {
  'get-business-hours': reads('get-business-hours'),
  'put-business-hours': writes('put-business-hours'),
  'create-policy': writes('create-policy'),
  'list-policies': reads('list-policies'),
  'get-policy': reads('get-policy'),
  'put-policy': writes('put-policy'),
  'create-agreement': writes('create-agreement'),
  'list-agreements': reads('list-agreements'),
  'get-ticket-sla': reads('get-ticket-sla'),
  // A new agent, or one with more room (capacity, availability, skills), picks up waiting tickets.
  'create-agent': { ...writes('create-agent'), sendsTo: ['assign-ticket'] },
  'list-agents': reads('list-agents'),
  'get-agent': reads('get-agent'),
  'update-agent': { ...writes('update-agent'), sendsTo: ['assign-ticket'] },
  // To a queue: the ticket goes back to the assignment worker.
  'reassign-ticket': { ...writes('reassign-ticket'), sendsTo: ['assign-ticket'] },
  'create-queue': writes('create-queue'),
  'list-queues': reads('list-queues'),
  'get-queue': reads('get-queue'),
  'get-routing': reads('get-routing'),
  'put-routing': writes('put-routing'),
  // Schedule sla-check (1 minute): ≤ 8 × 200 due clocks a run, stops 5 s before its time-out.
  'check-sla': { ...writes('check-sla'), timeoutSeconds: 50, sendsTo: ['sla-escalations'] },
  // A breach's escalation rules: priority, queue (the new queue's agent is claimed), email.
  // The agent it takes the ticket from picks up a waiting one (assign-ticket).
  'escalate-ticket': { ...writes('escalate-ticket'), sendsEmail: true, sendsTo: ['assign-ticket'] },
} as const satisfies Record<string, FunctionDef>
