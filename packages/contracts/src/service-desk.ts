/**
 * Service desk API (tickets and their conversation), version 1. Additive changes only within a
 * version. The events are in `service-desk-events.ts`; the names they share with the API (statuses,
 * priorities, channels, SLA targets) are declared here once.
 */
import * as z from 'zod/mini'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'

/** EventBridge source of every service-desk event. */
export const SERVICE_DESK_SOURCE = 'crm.service-desk'

/** `detail-type`s of ticket events. */
export const TICKET_EVENT = {
  opened: 'Ticket.Opened',
  updated: 'Ticket.Updated',
  assigned: 'Ticket.Assigned',
  statusChanged: 'Ticket.StatusChanged',
  replied: 'Ticket.Replied',
  slaWarning: 'Ticket.SlaWarning',
  slaBreached: 'Ticket.SlaBreached',
  solved: 'Ticket.Solved',
  reopened: 'Ticket.Reopened',
  rated: 'Ticket.Rated',
} as const

/** `detail-type`s of field-service visit events. */
export const VISIT_EVENT = { booked: 'Visit.Booked', completed: 'Visit.Completed' } as const

/** Limits written down once for schemas, docs and tests. */
export const TICKET_LIMITS = {
  subject: 250,
  /** A comment's text (a long email thread quoted in full stays under it). */
  body: 32_000,
  tags: 20,
  tag: 50,
  category: 60,
  name: 200,
  actorId: 128,
  externalRef: 200,
} as const

/**
 * Ticket statuses, in their usual order: `new` (nobody looked yet) → `open` → `pending` (waiting on
 * the requester: the SLA clock stops) → `on_hold` (waiting on a third party: stopped too) → `solved`
 * (a requester reply reopens it) → `closed` (final).
 */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const
export type TicketStatus = (typeof TICKET_STATUSES)[number]

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const
export type TicketPriority = (typeof TICKET_PRIORITIES)[number]

/** Where a ticket came from. */
export const TICKET_CHANNELS = ['email', 'web', 'phone', 'chat', 'social'] as const
export type TicketChannel = (typeof TICKET_CHANNELS)[number]

/** What kind of request it is (problem reporting groups incidents under a problem). */
export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'] as const
export type TicketType = (typeof TICKET_TYPES)[number]

/** The targets an SLA policy measures, in business minutes. */
export const SLA_TARGETS = ['first_response', 'next_response', 'resolution'] as const
export type SlaTarget = (typeof SLA_TARGETS)[number]

/** Who wrote a comment. */
export const COMMENT_AUTHORS = ['agent', 'requester', 'system'] as const
export type CommentAuthor = (typeof COMMENT_AUTHORS)[number]

/** A tag: lower-case slug (`billing`, `vip-customer`). */
export const Tag = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.regex(/^[a-z0-9][a-z0-9_-]{0,49}$/, 'Must be a tag such as "billing" (a-z, 0-9, _ and -)'),
  )

/** A problem category for reporting (`billing/refund`, `hardware`): a slug path. */
export const Category = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.regex(/^[a-z0-9][a-z0-9_/-]{0,59}$/, 'Must be a category such as "billing/refund"'),
  )

/** An agent or queue id as the service-desk gives them out (agents may be identity-provider subjects). */
export const ActorId = z
  .string()
  .check(z.trim(), z.minLength(1), z.maxLength(TICKET_LIMITS.actorId), z.regex(/^[^\p{Cc}\s]+$/u))

/** Comment text: NFC, at least one visible character, no NUL. */
export const CommentBody = z
  .string()
  .check(
    z.normalize('NFC'),
    z.maxLength(TICKET_LIMITS.body),
    z.regex(/\S/, 'Must not be empty'),
    z.regex(/^[^\0]*$/, 'Must not contain NUL'),
  )

// ---------------------------------------------------------------------------------------------
// Tickets

/** Who asked: a contact id, or an email (matched to a contact by the service), or both. */
export const RequesterInput = z
  .strictObject({
    contactId: z.optional(Id),
    email: z.optional(EmailAddress),
    name: z.optional(nameText(TICKET_LIMITS.name)),
  })
  .check(
    z.refine((r) => r !== null && typeof r === 'object' && Boolean(r.contactId || r.email), {
      message: 'Give the requester contactId or email',
    }),
  )
export type RequesterInput = z.infer<typeof RequesterInput>

/** POST /tickets body. `description` becomes the first comment (from the requester). */
export const CreateTicket = z.strictObject({
  subject: nameText(TICKET_LIMITS.subject),
  description: CommentBody,
  requester: RequesterInput,
  channel: z.optional(z.enum(TICKET_CHANNELS)),
  priority: z.optional(z.enum(TICKET_PRIORITIES)),
  type: z.optional(z.enum(TICKET_TYPES)),
  category: z.optional(Category),
  tags: z.optional(z.array(Tag).check(z.maxLength(TICKET_LIMITS.tags))),
  companyId: z.optional(Id),
  /** Set to skip routing (the assignment worker still picks an agent when no assignee is given). */
  queueId: z.optional(ActorId),
  /** An agent (GET /agents) to hold the ticket from the start; refused when the agent is at capacity. */
  assigneeId: z.optional(ActorId),
  /** The caller's own reference (a chat transcript id, a phone call id). */
  externalRef: z.optional(nameText(TICKET_LIMITS.externalRef)),
})
export type CreateTicket = z.infer<typeof CreateTicket>

/**
 * PATCH /tickets/{id} body (If-Match): `null` clears an optional field. A status change follows the
 * rules (closed is final; solved only reopens to open; new is never re-entered). The queue and the
 * agent change through POST /tickets/{id}/assignment, which checks the agent's capacity.
 */
export const UpdateTicket = z
  .strictObject({
    subject: z.optional(nameText(TICKET_LIMITS.subject)),
    status: z.optional(z.enum(TICKET_STATUSES)),
    priority: z.optional(z.enum(TICKET_PRIORITIES)),
    type: z.optional(z.enum(TICKET_TYPES)),
    category: z.optional(z.nullable(Category)),
    tags: z.optional(z.array(Tag).check(z.maxLength(TICKET_LIMITS.tags))),
    companyId: z.optional(z.nullable(Id)),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateTicket = z.infer<typeof UpdateTicket>

/** One SLA target of a ticket, as desk-sla's clock keeps it (business minutes). */
export const TicketSlaTarget = z.object({
  target: z.enum(SLA_TARGETS),
  targetMinutes: z.number(),
  /** When it is due; absent while the clock is paused (pending / on hold). */
  dueAt: z.optional(Timestamp),
  /** Business minutes used so far (updated at each pause and stop). */
  elapsedMinutes: z.optional(z.number()),
  state: z.enum(['running', 'paused', 'met', 'breached']),
  warnedAt: z.optional(Timestamp),
  breachedAt: z.optional(Timestamp),
  metAt: z.optional(Timestamp),
})
export type TicketSlaTarget = z.infer<typeof TicketSlaTarget>

/** The SLA a ticket runs under: its policy and one entry per target. */
export const TicketSla = z.object({
  policyId: z.optional(z.string()),
  agreementId: z.optional(z.string()),
  targets: z.array(TicketSlaTarget),
})
export type TicketSla = z.infer<typeof TicketSla>

export const Requester = z.object({
  contactId: z.optional(z.string()),
  email: z.optional(z.string()),
  name: z.optional(z.string()),
})
export type Requester = z.infer<typeof Requester>

export const Ticket = z.object({
  id: z.string(),
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  priority: z.enum(TICKET_PRIORITIES),
  channel: z.enum(TICKET_CHANNELS),
  type: z.enum(TICKET_TYPES),
  category: z.optional(z.string()),
  tags: z.array(z.string()),
  requester: Requester,
  companyId: z.optional(z.string()),
  queueId: z.optional(z.string()),
  assigneeId: z.optional(z.string()),
  externalRef: z.optional(z.string()),
  /** Public replies and internal notes on the ticket (the description is the first). */
  commentCount: z.number(),
  /** Times a solved ticket was reopened. */
  reopenCount: z.number(),
  firstRespondedAt: z.optional(Timestamp),
  solvedAt: z.optional(Timestamp),
  closedAt: z.optional(Timestamp),
  /** Whether any SLA target of the ticket was breached. */
  breached: z.boolean(),
  sla: z.optional(TicketSla),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Ticket = z.infer<typeof Ticket>
export const TicketPage = page(Ticket)

const DateOrTime = z.union([z.iso.date(), z.iso.datetime()])

/**
 * GET /tickets query: one index-backed filter (status, assigneeId, queueId, contactId, requesterEmail or
 * tag; otherwise newest first), narrowed by the others and by created/updated ranges (inclusive; a
 * date alone means that whole day, UTC).
 */
export const ListTicketsQuery = z.strictObject({
  status: z.optional(z.enum(TICKET_STATUSES)),
  priority: z.optional(z.enum(TICKET_PRIORITIES)),
  assigneeId: z.optional(ActorId),
  queueId: z.optional(ActorId),
  contactId: z.optional(Id),
  requesterEmail: z.optional(EmailAddress),
  tag: z.optional(Tag),
  channel: z.optional(z.enum(TICKET_CHANNELS)),
  breached: z.optional(z.enum(['true', 'false'])),
  createdFrom: z.optional(DateOrTime),
  createdTo: z.optional(DateOrTime),
  updatedFrom: z.optional(DateOrTime),
  updatedTo: z.optional(DateOrTime),
  ...PaginationQuery.shape,
})
export type ListTicketsQuery = z.infer<typeof ListTicketsQuery>

/** Path parameters of `/tickets/{id}` routes. */
export const TicketParams = z.strictObject({ id: Id })

// ---------------------------------------------------------------------------------------------
// Comments

/** POST /tickets/{id}/comments body: a public reply (emailed to the requester) or an internal note. */
export const CreateComment = z.strictObject({
  body: CommentBody,
  /** `true` (default): emailed to the requester; `false`: an internal note, never sent. */
  public: z.optional(z.boolean()),
  /** Status to leave the ticket in after the reply (e.g. `pending` while waiting on the requester). */
  status: z.optional(z.enum(['open', 'pending', 'on_hold', 'solved'])),
})
export type CreateComment = z.infer<typeof CreateComment>

/** Delivery of a public reply's email. */
export const CommentMail = z.object({
  status: z.enum(['queued', 'sent', 'failed', 'skipped']),
  to: z.optional(z.string()),
  messageId: z.string(),
  inReplyTo: z.optional(z.string()),
  sentAt: z.optional(Timestamp),
  error: z.optional(z.string()),
})

export const Comment = z.object({
  id: z.string(),
  ticketId: z.string(),
  body: z.string(),
  public: z.boolean(),
  author: z.enum(COMMENT_AUTHORS),
  authorId: z.optional(z.string()),
  authorEmail: z.optional(z.string()),
  channel: z.enum(TICKET_CHANNELS),
  /** Message-ID of the email this comment arrived in or was sent as (threading). */
  messageId: z.optional(z.string()),
  mail: z.optional(CommentMail),
  createdAt: Timestamp,
})
export type Comment = z.infer<typeof Comment>
export const CommentPage = page(Comment)

/** GET /tickets/{id}/comments query: oldest first. */
export const CommentListQuery = PaginationQuery
