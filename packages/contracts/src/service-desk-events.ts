/**
 * Events of the service desk (source `crm.service-desk`), version 1; `events.ts` aggregates them.
 *
 * Every ticket event carries `ticketId`, the ticket's `version` after the change (a consumer ignores
 * an older one arriving late) and `contactId` when the requester is a known contact (contacts puts
 * the ticket on that contact's timeline). What analytics counts (channel, priority, category, queue,
 * assignee, business minutes, SLA outcome, rating) travels with the event, so no consumer needs to
 * read the ticket back. No requester email or comment text is published: the bus archive cannot be
 * erased, so personal data stays in the service's own table.
 */
import * as z from 'zod/mini'
import { Timestamp } from './common.js'
import { type EventContract, eventContract } from './event-contract.js'
import {
  COMMENT_AUTHORS,
  SERVICE_DESK_SOURCE,
  SLA_TARGETS,
  TICKET_CHANNELS,
  TICKET_EVENT,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  TICKET_TYPES,
  VISIT_EVENT,
} from './service-desk.js'

const Change = z.object({ before: z.optional(z.unknown()), after: z.optional(z.unknown()) })

/** What every ticket event says about the ticket it is about. */
const TicketRef = {
  ticketId: z.string(),
  version: z.number(),
  contactId: z.optional(z.string()),
  companyId: z.optional(z.string()),
}

/** The reporting dimensions analytics groups tickets by. */
const Dimensions = {
  channel: z.enum(TICKET_CHANNELS),
  priority: z.enum(TICKET_PRIORITIES),
  type: z.enum(TICKET_TYPES),
  category: z.optional(z.string()),
  queueId: z.optional(z.string()),
  assigneeId: z.optional(z.string()),
}

/** `Ticket.Opened` v1 data: a new ticket, from any channel. */
export const TicketOpenedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  tags: z.array(z.string()),
  createdAt: Timestamp,
})
export type TicketOpenedV1 = z.infer<typeof TicketOpenedV1>

/** `Ticket.Updated` v1 data: each changed field with its value before and after. */
export const TicketUpdatedV1 = z.object({
  ...TicketRef,
  changes: z.record(z.string(), Change),
  updatedAt: Timestamp,
})
export type TicketUpdatedV1 = z.infer<typeof TicketUpdatedV1>

/** How an assignment was made. */
export const ASSIGNMENT_METHODS = ['routing', 'manual', 'escalation'] as const
export type AssignmentMethod = (typeof ASSIGNMENT_METHODS)[number]

/** `Ticket.Assigned` v1 data: the ticket's queue and/or agent changed. */
export const TicketAssignedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  previousQueueId: z.optional(z.string()),
  previousAssigneeId: z.optional(z.string()),
  method: z.enum(ASSIGNMENT_METHODS),
  assignedBy: z.string(),
  assignedAt: Timestamp,
})
export type TicketAssignedV1 = z.infer<typeof TicketAssignedV1>

/** `Ticket.StatusChanged` v1 data: every status move (Solved and Reopened follow for those moves). */
export const TicketStatusChangedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  from: z.enum(TICKET_STATUSES),
  to: z.enum(TICKET_STATUSES),
  changedBy: z.string(),
  changedAt: Timestamp,
})
export type TicketStatusChangedV1 = z.infer<typeof TicketStatusChangedV1>

/** `Ticket.Replied` v1 data: a public reply, by an agent (emailed to the requester) or the requester. */
export const TicketRepliedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  commentId: z.string(),
  author: z.enum(COMMENT_AUTHORS),
  authorId: z.optional(z.string()),
  /** The agent's first public reply: the first-response SLA target is met by it. */
  firstResponse: z.boolean(),
  repliedAt: Timestamp,
})
export type TicketRepliedV1 = z.infer<typeof TicketRepliedV1>

/** The SLA context of a warning or breach. */
const SlaRef = {
  target: z.enum(SLA_TARGETS),
  policyId: z.optional(z.string()),
  targetMinutes: z.number(),
  dueAt: Timestamp,
}

/** `Ticket.SlaWarning` v1 data: a target is close to its due time (once per target and cycle). */
export const TicketSlaWarningV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  ...SlaRef,
  /** Business minutes left when the warning was raised. */
  minutesLeft: z.number(),
  warnedAt: Timestamp,
})
export type TicketSlaWarningV1 = z.infer<typeof TicketSlaWarningV1>

/** `Ticket.SlaBreached` v1 data: a target passed its due time (exactly once per target and cycle). */
export const TicketSlaBreachedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  ...SlaRef,
  breachedAt: Timestamp,
})
export type TicketSlaBreachedV1 = z.infer<typeof TicketSlaBreachedV1>

/** One target's outcome on a solved ticket. */
export const SlaOutcome = z.object({
  target: z.enum(SLA_TARGETS),
  targetMinutes: z.number(),
  /** Business minutes actually used (absent when the target was never reached, e.g. no reply). */
  actualMinutes: z.optional(z.number()),
  met: z.boolean(),
})
export type SlaOutcome = z.infer<typeof SlaOutcome>

/** `Ticket.Solved` v1 data: what a resolution report needs, times in business minutes. */
export const TicketSolvedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  subject: z.string(),
  createdAt: Timestamp,
  solvedAt: Timestamp,
  /** Business minutes to the first agent reply; absent when solved without a public reply. */
  firstResponseMinutes: z.optional(z.number()),
  /** Business minutes from creation to this solve, pauses (pending, on hold) excluded. */
  resolutionMinutes: z.optional(z.number()),
  /** Wall-clock minutes from creation to this solve. */
  calendarMinutes: z.number(),
  policyId: z.optional(z.string()),
  sla: z.array(SlaOutcome),
  /** Any target breached (now or earlier in the ticket's life). */
  slaBreached: z.boolean(),
  reopenCount: z.number(),
  /** Public replies so far (agent and requester). */
  replyCount: z.number(),
})
export type TicketSolvedV1 = z.infer<typeof TicketSolvedV1>

/** Why a solved ticket reopened. */
export const REOPEN_REASONS = ['requester_reply', 'agent'] as const
export type ReopenReason = (typeof REOPEN_REASONS)[number]

/** `Ticket.Reopened` v1 data: a solved ticket is open again. */
export const TicketReopenedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  reason: z.enum(REOPEN_REASONS),
  reopenCount: z.number(),
  reopenedAt: Timestamp,
})
export type TicketReopenedV1 = z.infer<typeof TicketReopenedV1>

/** `Ticket.Rated` v1 data: the requester's satisfaction rating (CSAT), once per solve. */
export const TicketRatedV1 = z.object({
  ...TicketRef,
  ...Dimensions,
  /** 1 (very unsatisfied) .. 5 (very satisfied). */
  score: z.int().check(z.minimum(1), z.maximum(5)),
  /** score ≥ 4: the CSAT percentage counts these. */
  satisfied: z.boolean(),
  /** Whether a comment came with the rating (its text stays in the service). */
  hasComment: z.boolean(),
  solvedAt: z.optional(Timestamp),
  ratedAt: Timestamp,
})
export type TicketRatedV1 = z.infer<typeof TicketRatedV1>

/** What every visit event says. */
const VisitRef = {
  visitId: z.string(),
  version: z.number(),
  ticketId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  technicianId: z.string(),
  windowStart: Timestamp,
  windowEnd: Timestamp,
  /** The customer's IANA time zone the window was booked in. */
  timeZone: z.string(),
}

/** `Visit.Booked` v1 data: an on-site visit was booked for a technician. */
export const VisitBookedV1 = z.object({ ...VisitRef, bookedAt: Timestamp })
export type VisitBookedV1 = z.infer<typeof VisitBookedV1>

/** `Visit.Completed` v1 data: the visit happened (or could not), with its outcome. */
export const VisitCompletedV1 = z.object({
  ...VisitRef,
  outcome: z.string(),
  completedAt: Timestamp,
})
export type VisitCompletedV1 = z.infer<typeof VisitCompletedV1>

const ev = <const D extends z.ZodMiniType>(detailType: string, description: string, data: D) =>
  eventContract({ source: SERVICE_DESK_SOURCE, detailType, version: 1, description, data })

export const TicketOpened = ev(
  TICKET_EVENT.opened,
  'A ticket was opened (email, web, phone, chat or social); data has its reporting dimensions and contactId.',
  TicketOpenedV1,
)
export const TicketUpdated = ev(
  TICKET_EVENT.updated,
  'A ticket changed; data names each changed field with its value before and after.',
  TicketUpdatedV1,
)
export const TicketAssigned = ev(
  TICKET_EVENT.assigned,
  'A ticket was routed or reassigned to a queue and/or agent.',
  TicketAssignedV1,
)
export const TicketStatusChanged = ev(
  TICKET_EVENT.statusChanged,
  "A ticket's status moved (new, open, pending, on_hold, solved, closed).",
  TicketStatusChangedV1,
)
export const TicketReplied = ev(
  TICKET_EVENT.replied,
  'A public reply was added to a ticket, by an agent (emailed to the requester) or by the requester.',
  TicketRepliedV1,
)
export const TicketSlaWarning = ev(
  TICKET_EVENT.slaWarning,
  'An SLA target of a ticket is about to be breached (once per target).',
  TicketSlaWarningV1,
)
export const TicketSlaBreached = ev(
  TICKET_EVENT.slaBreached,
  'An SLA target of a ticket was breached (exactly once per target).',
  TicketSlaBreachedV1,
)
export const TicketSolved = ev(
  TICKET_EVENT.solved,
  'A ticket was solved; data has its business-minute first response and resolution times and SLA outcome.',
  TicketSolvedV1,
)
export const TicketReopened = ev(
  TICKET_EVENT.reopened,
  'A solved ticket was reopened (a requester reply, or an agent).',
  TicketReopenedV1,
)
export const TicketRated = ev(
  TICKET_EVENT.rated,
  'The requester rated a solved ticket (CSAT 1..5).',
  TicketRatedV1,
)
export const VisitBooked = ev(
  VISIT_EVENT.booked,
  'An on-site visit was booked for a technician.',
  VisitBookedV1,
)
export const VisitCompleted = ev(
  VISIT_EVENT.completed,
  'An on-site visit was completed, with its outcome.',
  VisitCompletedV1,
)

/** Every service-desk event, in catalogue shape. */
export const SERVICE_DESK_EVENTS: readonly EventContract[] = [
  TicketOpened,
  TicketUpdated,
  TicketAssigned,
  TicketStatusChanged,
  TicketReplied,
  TicketSlaWarning,
  TicketSlaBreached,
  TicketSolved,
  TicketReopened,
  TicketRated,
  VisitBooked,
  VisitCompleted,
]
