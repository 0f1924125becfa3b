/**
 * Service desk API, SLAs and assignment (version 1, additive changes only): business hours, SLA
 * policies, agreements (service contracts on companies), agents, queues, routing rules and the
 * manual reassignment of a ticket. Tickets themselves are in `service-desk.ts`.
 */
import * as z from 'zod/mini'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import {
  ActorId,
  Category,
  SLA_TARGETS,
  Tag,
  TICKET_CHANNELS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
} from './service-desk.js'

export const SLA_LIMITS = {
  windowsPerDay: 6,
  holidays: 400,
  /** A target of more than a year of business minutes is a mistake. */
  targetMinutes: 525_600,
  escalations: 10,
  notify: 10,
  skills: 30,
  languages: 20,
  capacity: 1000,
  routingRules: 100,
  name: 200,
} as const

const HHMM = z.string().check(z.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'Must be HH:MM (00:00 to 24:00)'))
const Window = z.strictObject({ start: HHMM, end: HHMM })
const Windows = z.optional(z.array(Window).check(z.maxLength(SLA_LIMITS.windowsPerDay)))
export const IsoDate = z.iso.date()

/** A skill or language tag: lower-case slug (`billing`, `printers`, `th`, `pt-br`). */
export const SkillTag = Tag

// ---------------------------------------------------------------------------------------------
// Business hours

/** PUT /sla/business-hours body: the tenant's zone, open windows per weekday, holidays. */
export const PutBusinessHours = z.strictObject({
  timeZone: z.string().check(z.minLength(1), z.maxLength(64)),
  hours: z.strictObject({
    mon: Windows,
    tue: Windows,
    wed: Windows,
    thu: Windows,
    fri: Windows,
    sat: Windows,
    sun: Windows,
  }),
  holidays: z.optional(z.array(IsoDate).check(z.maxLength(SLA_LIMITS.holidays))),
  /** The policy of tickets whose company has no agreement in force. */
  defaultPolicyId: z.optional(z.nullable(Id)),
})
export type PutBusinessHours = z.infer<typeof PutBusinessHours>

export const BusinessHours = z.object({
  timeZone: z.string(),
  hours: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))),
  holidays: z.array(z.string()),
  defaultPolicyId: z.optional(z.string()),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type BusinessHours = z.infer<typeof BusinessHours>

// ---------------------------------------------------------------------------------------------
// Policies

const Minutes = z.int().check(z.minimum(1), z.maximum(SLA_LIMITS.targetMinutes))
const Goals = z.strictObject({
  first_response: z.optional(Minutes),
  next_response: z.optional(Minutes),
  resolution: z.optional(Minutes),
})

export const EscalationRule = z.strictObject({
  /** The target whose breach triggers it; any target when absent. */
  target: z.optional(z.enum(SLA_TARGETS)),
  raisePriority: z.optional(z.boolean()),
  queueId: z.optional(Id),
  notify: z.optional(z.array(EmailAddress).check(z.maxLength(SLA_LIMITS.notify))),
})
export type EscalationRule = z.infer<typeof EscalationRule>

/** POST /sla/policies and PUT /sla/policies/{id} body. */
export const PolicyInput = z.strictObject({
  name: nameText(SLA_LIMITS.name),
  /** `business` (default): the tenant's business hours; `calendar`: round the clock. */
  hours: z.optional(z.enum(['business', 'calendar'])),
  targets: z.strictObject({
    low: z.optional(Goals),
    normal: z.optional(Goals),
    high: z.optional(Goals),
    urgent: z.optional(Goals),
  }),
  /** Business minutes before a due time at which Ticket.SlaWarning is raised (default 15). */
  warnBeforeMinutes: z.optional(z.int().check(z.minimum(0), z.maximum(SLA_LIMITS.targetMinutes))),
  escalations: z.optional(z.array(EscalationRule).check(z.maxLength(SLA_LIMITS.escalations))),
})
export type PolicyInput = z.infer<typeof PolicyInput>

export const Policy = z.object({
  id: z.string(),
  name: z.string(),
  hours: z.enum(['business', 'calendar']),
  targets: z.record(z.enum(TICKET_PRIORITIES), z.record(z.enum(SLA_TARGETS), z.number())),
  warnBeforeMinutes: z.number(),
  escalations: z.array(
    z.object({
      target: z.optional(z.enum(SLA_TARGETS)),
      raisePriority: z.optional(z.boolean()),
      queueId: z.optional(z.string()),
      notify: z.optional(z.array(z.string())),
    }),
  ),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Policy = z.infer<typeof Policy>
export const PolicyPage = page(Policy)

// ---------------------------------------------------------------------------------------------
// Agreements

/**
 * POST /sla/agreements body: a service contract of a company. Of the agreements in force on a day,
 * the one created last decides the policy (a renewal is a new agreement).
 */
export const CreateAgreement = z
  .strictObject({
    companyId: Id,
    policyId: Id,
    name: z.optional(nameText(SLA_LIMITS.name)),
    startsOn: z.optional(IsoDate),
    endsOn: z.optional(IsoDate),
  })
  .check(
    z.refine((a) => !a?.startsOn || !a.endsOn || a.startsOn <= a.endsOn, {
      message: 'endsOn must not be before startsOn',
      path: ['endsOn'],
    }),
  )
export type CreateAgreement = z.infer<typeof CreateAgreement>

export const Agreement = z.object({
  id: z.string(),
  companyId: z.string(),
  policyId: z.string(),
  name: z.optional(z.string()),
  startsOn: z.optional(z.string()),
  endsOn: z.optional(z.string()),
  version: z.number(),
  updatedAt: Timestamp,
})
export type Agreement = z.infer<typeof Agreement>
export const AgreementPage = page(Agreement)
export const ListAgreementsQuery = z.extend(PaginationQuery, { companyId: z.optional(Id) })

// ---------------------------------------------------------------------------------------------
// Agents

export const AGENT_AVAILABILITY = ['available', 'away', 'offline'] as const

export const CreateAgent = z.strictObject({
  /** The agent's user id (token subject) when the agent signs in; a new id otherwise. */
  userId: z.optional(ActorId),
  name: nameText(SLA_LIMITS.name),
  email: z.optional(EmailAddress),
  skills: z.optional(z.array(SkillTag).check(z.maxLength(SLA_LIMITS.skills))),
  languages: z.optional(z.array(SkillTag).check(z.maxLength(SLA_LIMITS.languages))),
  /** Most open tickets the agent holds at once. */
  capacity: z.int().check(z.minimum(0), z.maximum(SLA_LIMITS.capacity)),
  availability: z.optional(z.enum(AGENT_AVAILABILITY)),
})
export type CreateAgent = z.infer<typeof CreateAgent>

export const UpdateAgent = z
  .strictObject({
    name: z.optional(nameText(SLA_LIMITS.name)),
    email: z.optional(z.nullable(EmailAddress)),
    skills: z.optional(z.array(SkillTag).check(z.maxLength(SLA_LIMITS.skills))),
    languages: z.optional(z.array(SkillTag).check(z.maxLength(SLA_LIMITS.languages))),
    capacity: z.optional(z.int().check(z.minimum(0), z.maximum(SLA_LIMITS.capacity))),
    availability: z.optional(z.enum(AGENT_AVAILABILITY)),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateAgent = z.infer<typeof UpdateAgent>

export const Agent = z.object({
  id: z.string(),
  userId: z.optional(z.string()),
  name: z.string(),
  email: z.optional(z.string()),
  skills: z.array(z.string()),
  languages: z.array(z.string()),
  capacity: z.number(),
  availability: z.enum(AGENT_AVAILABILITY),
  /** Open tickets assigned to the agent now. */
  load: z.number(),
  lastAssignedAt: z.optional(Timestamp),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Agent = z.infer<typeof Agent>
export const AgentPage = page(Agent)
export const AgentParams = z.strictObject({ id: ActorId })

// ---------------------------------------------------------------------------------------------
// Queues and routing

export const CreateQueue = z.strictObject({
  name: nameText(SLA_LIMITS.name),
  description: z.optional(nameText(1000)),
  /** Skills an agent needs to take this queue's tickets. */
  skills: z.optional(z.array(SkillTag).check(z.maxLength(SLA_LIMITS.skills))),
  /** Language an agent needs (the requester's), when the queue serves one. */
  language: z.optional(SkillTag),
})
export type CreateQueue = z.infer<typeof CreateQueue>

export const Queue = z.object({
  id: z.string(),
  name: z.string(),
  description: z.optional(z.string()),
  skills: z.array(z.string()),
  language: z.optional(z.string()),
  version: z.number(),
  createdAt: Timestamp,
})
export type Queue = z.infer<typeof Queue>
export const QueuePage = page(Queue)

/** One routing rule: every given condition must hold; the first rule that matches names the queue. */
export const RoutingRule = z.strictObject({
  channel: z.optional(z.enum(TICKET_CHANNELS)),
  priority: z.optional(z.enum(TICKET_PRIORITIES)),
  type: z.optional(z.enum(TICKET_TYPES)),
  /** The ticket's category starts with this (`billing` matches `billing/refund`). */
  category: z.optional(Category),
  tag: z.optional(Tag),
  queueId: Id,
})
export type RoutingRule = z.infer<typeof RoutingRule>

export const PutRouting = z.strictObject({
  rules: z.array(RoutingRule).check(z.maxLength(SLA_LIMITS.routingRules)),
  defaultQueueId: z.optional(z.nullable(Id)),
})
export type PutRouting = z.infer<typeof PutRouting>

export const Routing = z.object({
  rules: z.array(
    z.object({
      channel: z.optional(z.string()),
      priority: z.optional(z.string()),
      type: z.optional(z.string()),
      category: z.optional(z.string()),
      tag: z.optional(z.string()),
      queueId: z.string(),
    }),
  ),
  defaultQueueId: z.optional(z.string()),
  version: z.number(),
})
export type Routing = z.infer<typeof Routing>

/** POST /tickets/{id}/assignment body: to an agent, to a queue (its agent picked by the rules), or both. */
export const Reassign = z
  .strictObject({ agentId: z.optional(ActorId), queueId: z.optional(Id) })
  .check(z.refine((v) => Boolean(v?.agentId || v?.queueId), { message: 'Give agentId or queueId' }))
export type Reassign = z.infer<typeof Reassign>

export const Assignment = z.object({
  ticketId: z.string(),
  queueId: z.optional(z.string()),
  assigneeId: z.optional(z.string()),
  /** `queued`: no agent free with the skills and language (the ticket waits in its queue). */
  outcome: z.enum(['assigned', 'queued', 'unchanged']),
  version: z.number(),
})
export type Assignment = z.infer<typeof Assignment>

export const ListQuery = PaginationQuery
/** Path parameters of routes on one record the server named (ticket, policy, queue). */
export const IdParams = z.strictObject({ id: Id })
