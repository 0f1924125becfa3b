/**
 * Which events each ticket change emits, pure: the store commits what these return with the change
 * itself (one transaction, through the outbox), so no write path can forget or invent an event.
 *
 * | change                         | events                                                      |
 * | ------------------------------ | ----------------------------------------------------------- |
 * | a ticket is created            | `Ticket.Opened` (+ `Ticket.Assigned` when created assigned)  |
 * | subject, priority, type, category, tags, company | `Ticket.Updated` (each field before/after) |
 * | queue or agent                 | `Ticket.Assigned`                                            |
 * | status                         | `Ticket.StatusChanged`; + `Ticket.Solved` on a solve, `Ticket.Reopened` on solved → open |
 * | a public reply                 | `Ticket.Replied` (internal notes emit nothing)               |
 */
import { type CommentAuthor, TICKET_EVENT } from '@relay/contracts/service-desk'
import type {
  AssignmentMethod,
  ReopenReason,
  SlaOutcome,
  TicketSolvedV1,
} from '@relay/contracts/service-desk-events'
import { moveKind } from './status.js'
import { calendarMinutes, diffTickets, type TicketRecord } from './ticket.js'

/** An event a change emits: its `detail-type` and `data` (the store adds the envelope). */
export interface Emitted<D = unknown> {
  detailType: string
  data: D
}

/** What every ticket event says of the ticket. */
function ref(t: TicketRecord) {
  return {
    ticketId: t.id,
    version: t.version,
    ...(t.requester.contactId ? { contactId: t.requester.contactId } : {}),
    ...(t.companyId ? { companyId: t.companyId } : {}),
  }
}

/** The reporting dimensions analytics groups by. */
export function dimensions(t: TicketRecord) {
  return {
    channel: t.channel,
    priority: t.priority,
    type: t.type,
    ...(t.category ? { category: t.category } : {}),
    ...(t.queueId ? { queueId: t.queueId } : {}),
    ...(t.assigneeId ? { assigneeId: t.assigneeId } : {}),
  }
}

export const ticketOpened = (t: TicketRecord): Emitted[] => [
  {
    detailType: TICKET_EVENT.opened,
    data: {
      ...ref(t),
      ...dimensions(t),
      subject: t.subject,
      status: t.status,
      tags: t.tags,
      createdAt: t.createdAt,
    },
  },
  ...(t.queueId || t.assigneeId
    ? [assignedEvent(undefined, t, { method: 'manual', by: 'system', at: t.createdAt })]
    : []),
]

/** What the SLA clock knows at a solve (desk-sla's store/sla.ts); absent without a policy. */
export interface SolvedFigures {
  policyId?: string | undefined
  firstResponseMinutes?: number | undefined
  resolutionMinutes?: number | undefined
  sla: SlaOutcome[]
}

/** Who made a change, and how (for assignment). */
export interface ChangeContext {
  by: string
  at: string
  method?: AssignmentMethod
  /** Why a solved ticket reopened: a requester reply, or an agent. */
  reopenedBy?: ReopenReason
  solved?: SolvedFigures | undefined
}

function assignedEvent(
  before: TicketRecord | undefined,
  after: TicketRecord,
  ctx: Pick<ChangeContext, 'method' | 'by' | 'at'>,
): Emitted {
  return {
    detailType: TICKET_EVENT.assigned,
    data: {
      ...ref(after),
      ...dimensions(after),
      ...(before?.queueId ? { previousQueueId: before.queueId } : {}),
      ...(before?.assigneeId ? { previousAssigneeId: before.assigneeId } : {}),
      method: ctx.method ?? 'manual',
      assignedBy: ctx.by,
      assignedAt: ctx.at,
    },
  }
}

/** `Ticket.Solved` data of a ticket just solved. */
export function solvedData(t: TicketRecord, ctx: ChangeContext): TicketSolvedV1 {
  const at = t.solvedAt ?? ctx.at
  const figures = ctx.solved
  return {
    ...ref(t),
    ...dimensions(t),
    subject: t.subject,
    createdAt: t.createdAt,
    solvedAt: at,
    ...(figures?.firstResponseMinutes !== undefined
      ? { firstResponseMinutes: figures.firstResponseMinutes }
      : {}),
    ...(figures?.resolutionMinutes !== undefined ? { resolutionMinutes: figures.resolutionMinutes } : {}),
    calendarMinutes: calendarMinutes(t.createdAt, at),
    ...(figures?.policyId ? { policyId: figures.policyId } : {}),
    sla: figures?.sla ?? [],
    slaBreached: t.breached,
    reopenCount: t.reopenCount,
    replyCount: t.publicReplies ?? 0,
  }
}

/**
 * Every event the move from `before` to `after` stands for (see the table above). Nothing when
 * nothing a consumer sees changed.
 */
export function ticketChanged(before: TicketRecord, after: TicketRecord, ctx: ChangeContext): Emitted[] {
  const out: Emitted[] = []
  const changes = diffTickets(before, after)
  if (Object.keys(changes).length)
    out.push({ detailType: TICKET_EVENT.updated, data: { ...ref(after), changes, updatedAt: ctx.at } })
  if (before.queueId !== after.queueId || before.assigneeId !== after.assigneeId)
    out.push(assignedEvent(before, after, ctx))
  const move = moveKind(before.status, after.status)
  if (move !== 'none') {
    out.push({
      detailType: TICKET_EVENT.statusChanged,
      data: {
        ...ref(after),
        ...dimensions(after),
        from: before.status,
        to: after.status,
        changedBy: ctx.by,
        changedAt: ctx.at,
      },
    })
  }
  if (move === 'solve') out.push({ detailType: TICKET_EVENT.solved, data: solvedData(after, ctx) })
  if (move === 'reopen')
    out.push({
      detailType: TICKET_EVENT.reopened,
      data: {
        ...ref(after),
        ...dimensions(after),
        reason: ctx.reopenedBy ?? 'agent',
        reopenCount: after.reopenCount,
        reopenedAt: ctx.at,
      },
    })
  return out
}

/** `Ticket.Replied` for a public comment; an internal note emits nothing. */
export function ticketReplied(
  after: TicketRecord,
  comment: { id: string; author: CommentAuthor; authorId?: string | undefined; public: boolean; at: string },
): Emitted[] {
  if (!comment.public) return []
  return [
    {
      detailType: TICKET_EVENT.replied,
      data: {
        ...ref(after),
        ...dimensions(after),
        commentId: comment.id,
        author: comment.author,
        ...(comment.authorId ? { authorId: comment.authorId } : {}),
        firstResponse: comment.author === 'agent' && after.firstRespondedAt === comment.at,
        repliedAt: comment.at,
      },
    },
  ]
}
