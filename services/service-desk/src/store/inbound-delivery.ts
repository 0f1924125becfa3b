/**
 * Delivers a parsed inbound message: finds its thread (domain/inbound-mail.ts decides from what the
 * index and the tickets say), then opens a ticket or adds the comment through ticket-changes (so
 * the status rules, the events and the SLA clock apply as for any change), with the message's
 * dedupe record in the same transaction: one Message-ID makes one ticket or one comment, once.
 *
 * Reads: the dedupe record (I1), the Message-ID index (C4, one BatchGetItem), at most
 * {@link MAX_CANDIDATES} tickets (T1). Writes: one transaction.
 */
import { isConditionalCheckFailed } from '@relay/core/ddb'
import {
  decideThread,
  type InboundMessage,
  type ThreadCandidate,
  threadEvidence,
} from '../domain/inbound-mail.js'
import { TicketClosed } from '../domain/outcomes.js'
import { ticketIdForMessageIds } from './comments.js'
import { getReceived, receivedPut } from './inbound.js'
import { addComment, openTicket } from './ticket-changes.js'
import { getTicket } from './tickets.js'

/** Tickets read per kind of evidence: enough for any real thread, bounded for a hostile one. */
const MAX_CANDIDATES = 3

export type Delivery =
  | { status: 'created'; ticketId: string; messageId: string }
  | { status: 'threaded'; ticketId: string; commentId: string; reopened: boolean; messageId: string }
  | { status: 'duplicate'; ticketId?: string | undefined; messageId: string }

async function candidates(tenantId: string, ids: readonly string[]): Promise<ThreadCandidate[]> {
  const unique = [...new Set(ids)].slice(0, MAX_CANDIDATES)
  const tickets = await Promise.all(unique.map((id) => getTicket(tenantId, id)))
  return tickets.flatMap((t) =>
    t ? [{ ticketId: t.id, status: t.status, requesterEmail: t.requester.email }] : [],
  )
}

/** The comment text: the message's new text, and the attachments it came with (not imported). */
function commentText(m: InboundMessage): string {
  const names = m.attachments.map((a) => a.filename)
  const note = names.length
    ? `\n\n[${names.length} attachment${names.length > 1 ? 's' : ''} in the original email: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}]`
    : ''
  return `${m.text}${note}`.replace(/\0/g, '')
}

async function duplicate(tenantId: string, messageId: string): Promise<Delivery> {
  const ticketId = await ticketIdForMessageIds(tenantId, [messageId])
  return { status: 'duplicate', ticketId, messageId }
}

/**
 * Opens a ticket for `m` or adds it to its thread. The sender is the requester when they match the
 * ticket's; another sender on the thread (a colleague in Cc) or an automatic reply is recorded as a
 * public `system` comment with its address, which changes no status (only a requester's own reply
 * reopens a solved ticket or answers a pending one).
 */
export async function deliverInbound(
  tenantId: string,
  m: InboundMessage,
  ctx: { correlationId: string; now: string },
): Promise<Delivery> {
  if (await getReceived(tenantId, m.messageId)) return duplicate(tenantId, m.messageId)
  const evidence = threadEvidence(m)
  const indexed = evidence.messageIds.length
    ? await ticketIdForMessageIds(tenantId, evidence.messageIds)
    : undefined
  const byId = await candidates(tenantId, [...(indexed ? [indexed] : []), ...evidence.mintedTickets])
  const byTag = await candidates(tenantId, evidence.taggedTickets)
  const decision = decideThread(m, byId, byTag)
  const body = commentText(m)
  try {
    if (decision.kind === 'reply') {
      try {
        const record = receivedPut(tenantId, {
          messageId: m.messageId,
          outcome: 'threaded',
          receivedAt: ctx.now,
        })
        const { ticket, comment } = await addComment(
          tenantId,
          decision.ticketId,
          {
            body,
            public: true,
            author: decision.byRequester && !m.autoSubmitted ? 'requester' : 'system',
            authorEmail: m.from.address,
            channel: 'email',
            messageId: m.messageId,
          },
          { correlationId: ctx.correlationId, items: [record] },
        )
        return {
          status: 'threaded',
          ticketId: ticket.id,
          commentId: comment.id,
          reopened: decision.reopen && ticket.status === 'open',
          messageId: m.messageId,
        }
      } catch (err) {
        // Closed between the read and the write: closed is final, so the reply opens a new ticket.
        if (!(err instanceof TicketClosed)) throw err
      }
    }
    const record = receivedPut(tenantId, { messageId: m.messageId, outcome: 'created', receivedAt: ctx.now })
    const ticket = await openTicket(
      tenantId,
      {
        subject: m.subject,
        description: body,
        requester: { email: m.from.address, ...(m.from.name ? { name: m.from.name } : {}) },
      },
      {
        actorId: m.from.address,
        correlationId: ctx.correlationId,
        channel: 'email',
        messageId: m.messageId,
        items: [record],
      },
    )
    return { status: 'created', ticketId: ticket.id, messageId: m.messageId }
  } catch (err) {
    // A concurrent delivery of the same Message-ID committed first: its record failed our condition.
    if (isConditionalCheckFailed(err) && (await getReceived(tenantId, m.messageId)))
      return duplicate(tenantId, m.messageId)
    throw err
  }
}
