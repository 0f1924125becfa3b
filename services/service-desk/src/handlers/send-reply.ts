import { nowIso } from '@relay/core/ids'
import { composeMime, mailFrom, sendRawEmail } from '@relay/core/mail'
import { PERMANENT_SES_ERRORS, replyMail } from '../domain/reply-mail.js'
import { worker } from '../kit.js'
import { SendReplyMessage } from '../queues.js'
import { getComment, markMailFailedWork, markMailSentWork } from '../store/comments.js'
import { getTicket } from '../store/tickets.js'

/**
 * `send-reply` (SQS) `{ tenantId, ticketId, commentId }` → the public reply emailed to the requester
 * with SES SendRawEmail (MIME by MailComposer: the comment's Message-ID, In-Reply-To and References
 * from the ticket's thread), then the comment marked sent, committed with the message's dedupe
 * record.
 *
 * A throttled send throws (SQS brings the message back; nothing was sent). A reply already sent
 * (a redelivery after the mark) is not sent again; the one window left, a crash between SES
 * accepting and the mark committing, re-sends the SAME Message-ID, which mail clients show once.
 * A message SES refuses for good is marked failed instead of retried.
 */
export const handler = worker(
  'send-reply',
  SendReplyMessage,
  async ({ tenantId, ticketId, commentId }, { logger }) => {
    const [ticket, comment] = await Promise.all([
      getTicket(tenantId, ticketId),
      getComment(tenantId, ticketId, commentId),
    ])
    if (!ticket || !comment || comment.mail?.status !== 'queued') {
      logger.info('Reply with nothing to send', { ticketId, commentId, status: comment?.mail?.status })
      return undefined
    }
    const mail = replyMail(ticket, comment)
    if (!mail) return markMailFailedWork(tenantId, ticketId, commentId, 'skipped', 'No address to send to')
    const { raw } = await composeMime({
      from: mailFrom(),
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      messageId: mail.messageId,
      ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
      references: mail.references,
      headers: { 'X-Relay-Ticket': ticketId },
    })
    try {
      await sendRawEmail(raw, { tags: { service: 'service-desk', kind: 'ticket-reply' } })
    } catch (err) {
      const name = (err as { name?: string }).name ?? ''
      if (!PERMANENT_SES_ERRORS.has(name)) throw err
      logger.warn('SES refused a ticket reply', { ticketId, commentId, error: name })
      return markMailFailedWork(tenantId, ticketId, commentId, 'failed', `${name}: ${(err as Error).message}`)
    }
    return markMailSentWork(tenantId, ticketId, commentId, nowIso())
  },
  // Marked sent already (a concurrent delivery): done.
  { onConditionFailed: 'ignore' },
)
