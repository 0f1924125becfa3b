/**
 * Ticket rules, pure: build a ticket, apply a patch under the status rules (domain/status.ts),
 * record a comment's effect on the ticket, diff two versions. No AWS, no clock of its own.
 *
 * A stored ticket is the API's `Ticket` plus its mail thread: the Message-IDs of the thread, oldest
 * first (the first is the message that opened it), so a public reply is sent `In-Reply-To` the last
 * one with `References` to all of them (RFC 5322 §3.6.4), and mail clients thread it.
 */
import type {
  CommentAuthor,
  CreateTicket,
  Ticket,
  TicketChannel,
  TicketStatus,
  UpdateTicket,
} from '@relay/contracts/service-desk'
import { StatusNotAllowed, TicketClosed } from './outcomes.js'
import { canMove, nextStatuses, statusAfterReply } from './status.js'

/** How many Message-IDs of a thread are kept for `References` (RFC 5322 lets a client trim them too). */
export const MAX_THREAD_IDS = 20

/** A ticket as the store keeps it: the API's ticket, its mail thread, its public replies so far. */
export type TicketRecord = Ticket & { thread?: string[]; publicReplies?: number }

/** Who asked, once resolved against the requester projection. */
export interface ResolvedRequester {
  contactId?: string | undefined
  email?: string | undefined
  name?: string | undefined
}

/** The API's view of a stored ticket (the mail thread stays inside). */
export function publicTicket(t: TicketRecord): Ticket {
  const { thread: _thread, publicReplies: _replies, ...ticket } = t
  return ticket
}

const uniqueTags = (tags: readonly string[] | undefined): string[] => [...new Set(tags ?? [])].sort()

/**
 * A new ticket (version 1, status `new`, or `open` when it is created already assigned to an agent).
 *
 * @example
 * buildTicket({ subject: 'Printer on fire', description: '...', requester: { email: 'a@b.c' } },
 *   { id, now, requester: { email: 'a@b.c', contactId: 'C1' } }).status // 'new'
 */
export function buildTicket(
  input: CreateTicket,
  ctx: { id: string; now: string; requester: ResolvedRequester; channel?: TicketChannel; messageId?: string },
): TicketRecord {
  const r = ctx.requester
  return {
    id: ctx.id,
    subject: input.subject,
    status: input.assigneeId ? 'open' : 'new',
    priority: input.priority ?? 'normal',
    channel: input.channel ?? ctx.channel ?? 'web',
    type: input.type ?? 'question',
    ...(input.category ? { category: input.category } : {}),
    tags: uniqueTags(input.tags),
    requester: {
      ...(r.contactId ? { contactId: r.contactId } : {}),
      ...(r.email ? { email: r.email } : {}),
      ...(r.name ? { name: r.name } : {}),
    },
    ...(input.companyId ? { companyId: input.companyId } : {}),
    ...(input.queueId ? { queueId: input.queueId } : {}),
    ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
    ...(input.externalRef ? { externalRef: input.externalRef } : {}),
    // The description is the first comment.
    commentCount: 1,
    reopenCount: 0,
    breached: false,
    ...(ctx.messageId ? { thread: [ctx.messageId] } : {}),
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/**
 * The ticket in status `to`, with the timestamps that go with it: `solvedAt` on a solve (cleared
 * by a reopen, which counts in `reopenCount`), `closedAt` on a close. Throws
 * {@link StatusNotAllowed} for a move the rules refuse. Does not bump the version.
 */
export function withStatus(t: TicketRecord, to: TicketStatus, now: string): TicketRecord {
  if (t.status === to) return t
  if (!canMove(t.status, to)) throw new StatusNotAllowed(t.status, to, nextStatuses(t.status))
  const next: TicketRecord = { ...t, status: to }
  if (to === 'solved') next.solvedAt = now
  if (to === 'closed') next.closedAt = now
  if (t.status === 'solved' && to === 'open') {
    delete next.solvedAt
    next.reopenCount = t.reopenCount + 1
  }
  return next
}

const setOrClear = <T>(patch: T | null | undefined, current: T | undefined): T | undefined =>
  patch === undefined ? current : (patch ?? undefined)

/**
 * The ticket after a merge-patch (`null` clears), version bumped, status moved under the rules. A
 * closed ticket takes no change at all. Queue and agent are not patched: assignment is its own
 * change (capacity-checked, store/assignment.ts).
 */
export function applyTicketPatch(current: TicketRecord, patch: UpdateTicket, now: string): TicketRecord {
  if (current.status === 'closed') throw new TicketClosed(current.id)
  const moved = patch.status ? withStatus(current, patch.status, now) : current
  const category = setOrClear(patch.category, current.category)
  const companyId = setOrClear(patch.companyId, current.companyId)
  const { category: _c, companyId: _co, ...rest } = moved
  const next: TicketRecord = {
    ...rest,
    subject: patch.subject ?? current.subject,
    priority: patch.priority ?? current.priority,
    type: patch.type ?? current.type,
    tags: patch.tags === undefined ? current.tags : uniqueTags(patch.tags),
    ...(category ? { category } : {}),
    ...(companyId ? { companyId } : {}),
    version: current.version + 1,
    updatedAt: now,
  }
  return next
}

/** What a comment is, as far as the ticket is concerned. */
export interface CommentEffect {
  author: CommentAuthor
  public: boolean
  /** The status the agent chose with the reply. */
  status?: TicketStatus | undefined
  /** The Message-ID the comment was sent or received as. */
  messageId?: string | undefined
  at: string
}

/**
 * The ticket after a comment: status by {@link statusAfterReply} (a requester reply reopens a solved
 * ticket), `commentCount` + 1, `firstRespondedAt` at the first public agent reply, the mail thread
 * extended. Throws {@link TicketClosed} on a closed ticket and {@link StatusNotAllowed} for a status the
 * rules refuse. Version bumped.
 */
export function applyComment(current: TicketRecord, c: CommentEffect): TicketRecord {
  const to = statusAfterReply(current.status, c.author, c.public, c.status)
  if (to === undefined) throw new TicketClosed(current.id)
  const moved = withStatus(current, to, c.at)
  const firstResponse = c.author === 'agent' && c.public && !current.firstRespondedAt
  const thread = c.messageId
    ? [...(current.thread ?? []).filter((m) => m !== c.messageId), c.messageId].slice(-MAX_THREAD_IDS)
    : current.thread
  return {
    ...moved,
    commentCount: current.commentCount + 1,
    publicReplies: (current.publicReplies ?? 0) + (c.public ? 1 : 0),
    ...(firstResponse ? { firstRespondedAt: c.at } : {}),
    ...(thread ? { thread } : {}),
    version: current.version + 1,
    updatedAt: c.at,
  }
}

/** Fields whose change `Ticket.Updated` reports (status and assignment have events of their own). */
export const DESCRIPTIVE_FIELDS = ['subject', 'priority', 'type', 'category', 'tags', 'companyId'] as const

export interface FieldChange {
  before?: unknown
  after?: unknown
}

/** What changed among `fields`, field by field; empty when nothing did. */
export function diffTickets(
  before: TicketRecord,
  after: TicketRecord,
  fields: readonly (keyof Ticket)[] = DESCRIPTIVE_FIELDS,
): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {}
  for (const f of fields) {
    const b = before[f]
    const a = after[f]
    if (JSON.stringify(b) === JSON.stringify(a)) continue
    changes[f] = { ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) }
  }
  return changes
}

/** Whole minutes between two instants (wall clock). */
export function calendarMinutes(from: string, to: string): number {
  return Math.max(0, Math.floor((Date.parse(to) - Date.parse(from)) / 60_000))
}

/** The ticket with its requester pointed at another contact (merge) or linked to one (match by email). */
export function withRequesterContact(t: TicketRecord, contactId: string, now: string): TicketRecord {
  return {
    ...t,
    requester: { ...t.requester, contactId },
    version: t.version + 1,
    updatedAt: now,
  }
}

/**
 * The ticket with the requester's personal data gone (right to erasure): no email, no name, no
 * contact id; what analytics counts (status, channel, times, counts) stays. Subjects are the
 * requester's words too, so they are replaced.
 */
export const isAnonymised = (t: TicketRecord): boolean =>
  Object.keys(t.requester).length === 0 && t.subject === `[erased] ticket ${t.id}`

export function anonymisedTicket(t: TicketRecord, now: string): TicketRecord {
  const { thread: _thread, ...rest } = t
  return {
    ...rest,
    subject: `[erased] ticket ${t.id}`,
    requester: {},
    version: t.version + 1,
    updatedAt: now,
  }
}
