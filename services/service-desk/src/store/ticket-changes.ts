/**
 * Every change of a ticket, as one function each: read, decide (domain/ticket.ts, domain/status.ts,
 * domain/events.ts), run the SLA step, write (store/tickets.ts) with its comment, work messages and
 * events in one transaction. HTTP handlers, inbound mail, the web form and the assignment worker all
 * change tickets through here, so the status rules, the events and the SLA clock cannot be skipped.
 */
import type {
  Comment,
  CommentAuthor,
  CreateTicket,
  TicketChannel,
  TicketStatus,
  UpdateTicket,
} from '@relay/contracts/service-desk'
import { TICKET_EVENT } from '@relay/contracts/service-desk'
import type { AssignmentMethod } from '@relay/contracts/service-desk-events'
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { newId, nowIso } from '@relay/core/ids'
import type { DomainEvent, TransactItem } from '@relay/core/outbox'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import type { Work } from '@relay/core/work'
import { decodeTime } from 'ulid'
import {
  type ChangeContext,
  type Emitted,
  type SolvedFigures,
  ticketChanged,
  ticketOpened,
  ticketReplied,
} from '../domain/events.js'
import type { SlaSignal } from '../domain/sla.js'
import {
  anonymisedTicket,
  applyComment,
  applyTicketPatch,
  buildTicket,
  isAnonymised,
  type TicketRecord,
  withRequesterContact,
} from '../domain/ticket.js'
import { queueItem } from '../queues.js'
import { commentPuts, eraseComments } from './comments.js'
import { contactIdForEmail } from './requesters.js'
import { slaForChange } from './sla.js'
import { loadStep } from './ticket-load.js'
import { commitTicketWrite, getTicket, requesterTickets, ticketWriteWork } from './tickets.js'

/** Right-hand side of the Message-IDs the desk mints for its replies (`<comment.ticket@desk.relay-crm>`). */
export const MESSAGE_ID_DOMAIN = 'desk.relay-crm'

/** What the SLA step gives back: the ticket with its SLA state, what its transaction also writes, a solve's figures. */
export interface SlaStep {
  ticket: TicketRecord
  items: TransactItem[]
  /** Breaches the change revealed (already enveloped by desk-sla's store). */
  events: DomainEvent[]
  solved?: SolvedFigures | undefined
}

/** The SLA signals a change stands for, in the order they happened. */
export function slaSignals(
  before: TicketRecord | undefined,
  after: TicketRecord,
  reply?: CommentAuthor,
): SlaSignal[] {
  if (!before) return [{ kind: 'created' }]
  const signals: SlaSignal[] = []
  // An agent's reply answers before the status it sets (a reply that solves met the first response);
  // a requester's reply comes after the reopen it causes (it starts the reopened ticket's next wait).
  if (reply === 'agent') signals.push({ kind: 'agent-reply' })
  if (before.status !== after.status) signals.push({ kind: 'status', from: before.status })
  if (reply === 'requester') signals.push({ kind: 'requester-reply' })
  if (before.priority !== after.priority) signals.push({ kind: 'priority', from: before.priority })
  return signals
}

/**
 * The SLA step of every ticket change: desk-sla's clock (`store/sla.ts` `slaForChange`) sets `sla`
 * and `breached` on the ticket after the change, and gives its clock writes, the breaches the change
 * revealed and, on a solve, the business-minute figures. A change may be several signals at once
 * (a reply that also solves): they are applied in order, on one read of the clocks.
 */
async function slaStep(
  tenantId: string,
  after: TicketRecord,
  signals: readonly SlaSignal[],
  now: string,
  correlationId: string,
): Promise<SlaStep> {
  if (signals.length === 0) return { ticket: after, items: [], events: [] }
  const s = await slaForChange(tenantId, after, signals, now, correlationId)
  const { sla: _old, ...rest } = after
  return {
    ticket: { ...rest, ...(s.sla ? { sla: s.sla } : {}), breached: s.breached },
    items: s.items,
    events: s.events,
    solved: s.solved,
  }
}

/** Who opened a ticket and how it came in. */
export interface OpenContext {
  actorId: string
  correlationId: string
  channel?: TicketChannel
  /** The Message-ID of the email that opened it (inbound mail). */
  messageId?: string
  /** More items of the same transaction (inbound mail: the record that dedupes its Message-ID). */
  items?: readonly TransactItem[]
}

/**
 * Opens a ticket: resolves the requester (a contact id, else the contact the projection knows for
 * the email), writes the ticket, its first comment (the description, from the requester), its tag
 * items, `Ticket.Opened` and, when no agent is named, an `assign-ticket` work message, in one
 * transaction.
 */
export async function openTicket(
  tenantId: string,
  input: CreateTicket,
  ctx: OpenContext,
): Promise<TicketRecord> {
  // createdAt is the id's own time: list ranges on created are key conditions on the id (a ULID).
  const id = newId()
  const now = new Date(decodeTime(id)).toISOString()
  const email = input.requester.email
  const contactId =
    input.requester.contactId ?? (email ? await contactIdForEmail(tenantId, email) : undefined)
  const built = buildTicket(input, {
    id,
    now,
    requester: { contactId, email, name: input.requester.name },
    ...(ctx.channel ? { channel: ctx.channel } : {}),
    ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
  })
  const load = await loadStep(tenantId, undefined, built, now, ctx.correlationId)
  const sla = await slaStep(tenantId, load.ticket, slaSignals(undefined, load.ticket), now, ctx.correlationId)
  const ticket = sla.ticket
  const comment: Comment = {
    id: newId(),
    ticketId: ticket.id,
    body: input.description,
    public: true,
    author: 'requester',
    ...(email ? { authorEmail: email } : {}),
    channel: ticket.channel,
    ...(ctx.messageId ? { messageId: ctx.messageId } : {}),
    createdAt: now,
  }
  const items: TransactItem[] = [
    ...commentPuts(tenantId, comment),
    ...load.items,
    ...sla.items,
    ...(ctx.items ?? []),
  ]
  if (!ticket.assigneeId)
    items.push(
      queueItem('assign-ticket', { tenantId, ticketId: ticket.id, correlationId: ctx.correlationId }),
    )
  await commitTicketWrite(
    tenantId,
    { after: ticket, events: ticketOpened(ticket), items, envelopes: sla.events },
    ctx.correlationId,
  )
  return ticket
}

async function mustGet(tenantId: string, id: string): Promise<TicketRecord> {
  const t = await getTicket(tenantId, id)
  if (!t) throw new NotFound('No ticket with this id.')
  return t
}

/**
 * PATCH: the ticket after a merge-patch under the status rules (If-Match when given), with
 * Ticket.Updated / Assigned / StatusChanged / Solved / Reopened as the change stands for. Nothing
 * changed → no write, the ticket as it is.
 */
export async function patchTicket(
  tenantId: string,
  id: string,
  patch: UpdateTicket,
  ctx: { actorId: string; correlationId: string; ifMatch?: number | undefined },
): Promise<TicketRecord> {
  const before = await mustGet(tenantId, id)
  if (ctx.ifMatch !== undefined && ctx.ifMatch !== before.version) throw new StaleVersion()
  const now = nowIso()
  const patched = applyTicketPatch(before, patch, now)
  const events0 = ticketChanged(before, patched, { by: ctx.actorId, at: now })
  if (events0.length === 0) return before
  const load = await loadStep(tenantId, before, patched, now, ctx.correlationId)
  const sla = await slaStep(tenantId, load.ticket, slaSignals(before, load.ticket), now, ctx.correlationId)
  const after = sla.ticket
  const change: ChangeContext = {
    by: ctx.actorId,
    at: now,
    method: 'manual',
    reopenedBy: 'agent',
    solved: sla.solved,
  }
  await commitTicketWrite(
    tenantId,
    {
      before,
      after,
      events: ticketChanged(before, after, change),
      items: [...load.items, ...sla.items],
      envelopes: sla.events,
    },
    ctx.correlationId,
  )
  return after
}

/** A comment to add. */
export interface NewComment {
  body: string
  public: boolean
  author: CommentAuthor
  authorId?: string | undefined
  authorEmail?: string | undefined
  /** The status the agent chose with the reply. */
  status?: TicketStatus | undefined
  channel?: TicketChannel | undefined
  /** Inbound mail: the Message-ID it arrived with. */
  messageId?: string | undefined
}

/** How many times a comment is re-applied when the ticket changed under it (an agent and a mail at once). */
const COMMENT_ATTEMPTS = 6

/** A short random pause before re-applying, growing with the attempt, so racing writers spread out. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** attempt))

/**
 * Adds a comment: a public agent reply is queued for email to the requester (`send-reply`, with a
 * Message-ID minted now, In-Reply-To the thread's last message); an internal note is never sent;
 * a requester reply reopens a solved ticket (Ticket.Reopened) and answers a pending one. Throws
 * TicketClosed on a closed ticket. A ticket that changed meanwhile is re-read and the comment
 * applied again (it never depends on what the change was), up to {@link COMMENT_ATTEMPTS} times.
 */
export async function addComment(
  tenantId: string,
  ticketId: string,
  input: NewComment,
  ctx: { correlationId: string; items?: readonly TransactItem[] },
): Promise<{ ticket: TicketRecord; comment: Comment }> {
  const commentId = newId()
  for (let attempt = 1; ; attempt++) {
    const before = await mustGet(tenantId, ticketId)
    const now = nowIso()
    const outbound = input.author === 'agent' && input.public
    const to = before.requester.email
    const messageId = outbound ? `<${commentId}.${ticketId}@${MESSAGE_ID_DOMAIN}>` : input.messageId
    const inReplyTo = before.thread?.at(-1)
    const comment: Comment = {
      id: commentId,
      ticketId,
      body: input.body,
      public: input.public,
      author: input.author,
      ...(input.authorId ? { authorId: input.authorId } : {}),
      ...(input.authorEmail ? { authorEmail: input.authorEmail } : {}),
      channel: input.channel ?? (outbound || input.author === 'requester' ? 'email' : before.channel),
      ...(messageId ? { messageId } : {}),
      ...(outbound && messageId
        ? {
            mail: {
              status: to ? ('queued' as const) : ('skipped' as const),
              ...(to ? { to } : { error: 'The requester has no email address' }),
              messageId,
              ...(inReplyTo ? { inReplyTo } : {}),
            },
          }
        : {}),
      createdAt: now,
    }
    const commented = applyComment(before, {
      author: input.author,
      public: input.public,
      status: input.status,
      messageId,
      at: now,
    })
    const reply = input.public && input.author !== 'system' ? input.author : undefined
    const load = await loadStep(tenantId, before, commented, now, ctx.correlationId)
    const sla = await slaStep(
      tenantId,
      load.ticket,
      slaSignals(before, load.ticket, reply),
      now,
      ctx.correlationId,
    )
    const after = sla.ticket
    const by = input.authorId ?? input.authorEmail ?? input.author
    const events: Emitted[] = [
      ...ticketChanged(before, after, {
        by,
        at: now,
        reopenedBy: input.author === 'requester' ? 'requester_reply' : 'agent',
        solved: sla.solved,
      }),
      ...ticketReplied(after, {
        id: commentId,
        author: input.author,
        authorId: input.authorId,
        public: input.public,
        at: now,
      }),
    ]
    const items: TransactItem[] = [
      ...commentPuts(tenantId, comment),
      ...load.items,
      ...sla.items,
      ...(ctx.items ?? []),
    ]
    if (comment.mail?.status === 'queued')
      items.push(queueItem('send-reply', { tenantId, ticketId, commentId, correlationId: ctx.correlationId }))
    try {
      await commitTicketWrite(
        tenantId,
        { before, after, events, items, envelopes: sla.events },
        ctx.correlationId,
      )
      return { ticket: after, comment }
    } catch (err) {
      if (!isConditionalCheckFailed(err) || attempt >= COMMENT_ATTEMPTS) throw err
      await backoff(attempt)
    }
  }
}

/** What the assignment worker decided. */
export interface Assignment {
  queueId?: string | undefined
  assigneeId?: string | undefined
  method: AssignmentMethod
  by: string
  at: string
}

/**
 * The ticket routed / assigned (desk-sla's worker, escalation): a Work to commit with the worker's
 * own writes (agent load) and its dedupe record. A new ticket given an agent becomes open. Conditioned
 * on the version read: a ticket changed meanwhile fails the Work (the worker retries).
 */
export async function assignmentWork(
  tenantId: string,
  before: TicketRecord,
  a: Assignment,
  correlationId: string,
): Promise<{ ticket: TicketRecord; work: Work }> {
  const assigned: TicketRecord = {
    ...before,
    ...(a.queueId !== undefined ? { queueId: a.queueId } : {}),
    ...(a.assigneeId !== undefined ? { assigneeId: a.assigneeId } : {}),
    ...(a.assigneeId && before.status === 'new' ? { status: 'open' as const } : {}),
    version: before.version + 1,
    updatedAt: a.at,
  }
  const sla = await slaStep(tenantId, assigned, slaSignals(before, assigned), a.at, correlationId)
  const after = sla.ticket
  const events = ticketChanged(before, after, { by: a.by, at: a.at, method: a.method, solved: sla.solved })
  return {
    ticket: after,
    work: ticketWriteWork(
      tenantId,
      { before, after, events, items: sla.items, envelopes: sla.events },
      correlationId,
    ),
  }
}

// ---------------------------------------------------------------------------------------------
// Contacts' events: requesters linked, re-pointed, erased. Each ticket is its own write (a contact
// may have more tickets than one transaction holds); every write is idempotent, so a redelivered
// event simply does again what is left.

/** Rewrites one ticket with `change`, re-reading it when it changed meanwhile; skips it when `change` says so. */
async function rewrite(
  tenantId: string,
  id: string,
  change: (t: TicketRecord, now: string) => { after: TicketRecord; events: Emitted[] } | undefined,
  correlationId: string,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const before = await getTicket(tenantId, id)
    if (!before) return false
    const next = change(before, nowIso())
    if (!next) return false
    try {
      await commitTicketWrite(tenantId, { before, after: next.after, events: next.events }, correlationId)
      return true
    } catch (err) {
      if (!isConditionalCheckFailed(err) || attempt >= COMMENT_ATTEMPTS) throw err
      await backoff(attempt)
    }
  }
}

const contactLinked = (before: TicketRecord, after: TicketRecord, now: string): Emitted[] => [
  {
    detailType: TICKET_EVENT.updated,
    data: {
      ticketId: after.id,
      version: after.version,
      ...(after.requester.contactId ? { contactId: after.requester.contactId } : {}),
      ...(after.companyId ? { companyId: after.companyId } : {}),
      changes: {
        contactId: {
          ...(before.requester.contactId ? { before: before.requester.contactId } : {}),
          ...(after.requester.contactId ? { after: after.requester.contactId } : {}),
        },
      },
      updatedAt: now,
    },
  },
]

/** A contact now owns `email`: tickets that came from it with no contact yet are linked to the contact. */
export async function linkEmailTickets(
  tenantId: string,
  email: string,
  contactId: string,
  correlationId: string,
): Promise<number> {
  let linked = 0
  for (const t of await requesterTickets(tenantId, { email })) {
    const done = await rewrite(
      tenantId,
      t.id,
      (cur, now) => {
        if (cur.requester.contactId) return undefined
        const after = withRequesterContact(cur, contactId, now)
        return { after, events: contactLinked(cur, after, now) }
      },
      correlationId,
    )
    if (done) linked++
  }
  return linked
}

/** `sourceId` was merged into `targetId`: its tickets now belong to the target. */
export async function repointTickets(
  tenantId: string,
  sourceId: string,
  targetId: string,
  correlationId: string,
): Promise<number> {
  let moved = 0
  for (const t of await requesterTickets(tenantId, { contactId: sourceId })) {
    const done = await rewrite(
      tenantId,
      t.id,
      (cur, now) => {
        if (cur.requester.contactId !== sourceId) return undefined
        const after = withRequesterContact(cur, targetId, now)
        return { after, events: contactLinked(cur, after, now) }
      },
      correlationId,
    )
    if (done) moved++
  }
  return moved
}

/**
 * The contact was erased: its tickets (by contact, and by each email it had) lose the requester's
 * personal data, and their comments their text; counts, statuses and times stay for reporting. No
 * event: the erasure itself was announced by contacts, and an event here could only repeat what
 * must go.
 */
export async function eraseRequesterTickets(
  tenantId: string,
  contactId: string,
  emails: readonly string[],
  correlationId: string,
): Promise<number> {
  const tickets = [
    ...(await requesterTickets(tenantId, { contactId })),
    ...(await Promise.all(emails.map((email) => requesterTickets(tenantId, { email })))).flat(),
  ]
  let erased = 0
  for (const id of new Set(tickets.map((t) => t.id))) {
    await rewrite(
      tenantId,
      id,
      // Already erased (a redelivery): left as it is.
      (cur, now) => (isAnonymised(cur) ? undefined : { after: anonymisedTicket(cur, now), events: [] }),
      correlationId,
    )
    await eraseComments(tenantId, id)
    erased++
  }
  return erased
}
