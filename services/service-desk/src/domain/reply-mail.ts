/**
 * A public reply as an email to the requester, pure: subject, text, threading headers. The ticket
 * id rides in the subject (`[#<id>]`) so a reply whose client dropped In-Reply-To still threads.
 */
import type { Comment } from '@relay/contracts/service-desk'
import type { TicketRecord } from './ticket.js'

export interface ReplyMail {
  to: string[]
  subject: string
  text: string
  messageId: string
  inReplyTo?: string
  references: string[]
}

/** SES errors that say the message itself will never be accepted: record the failure, do not retry. */
export const PERMANENT_SES_ERRORS: ReadonlySet<string> = new Set([
  'MessageRejected',
  'InvalidParameterValue',
  'MailFromDomainNotVerifiedException',
])

/** `Re: <subject> [#<id>]`, without stacking `Re:` or the tag twice. */
export function replySubject(ticket: Pick<TicketRecord, 'id' | 'subject'>): string {
  const tag = `[#${ticket.id}]`
  const bare = ticket.subject
    .replace(/^\s*(re|aw|sv|antw)\s*:\s*/i, '')
    .replace(tag, '')
    .trim()
  return `Re: ${bare} ${tag}`
}

/**
 * The mail of a queued public reply, or undefined when there is nothing to send (no address left,
 * e.g. the requester was erased since). `References` is the thread before this reply, oldest first.
 *
 * @example
 * replyMail(ticket, comment)?.inReplyTo // the thread's last Message-ID before this reply
 */
export function replyMail(ticket: TicketRecord, comment: Comment): ReplyMail | undefined {
  const mail = comment.mail
  if (!mail?.to) return undefined
  const references = (ticket.thread ?? []).filter((m) => m !== mail.messageId)
  return {
    to: [mail.to],
    subject: replySubject(ticket),
    text: `${comment.body}\n\n--\nReply to this email to add to ticket #${ticket.id}.\n`,
    messageId: mail.messageId,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    references,
  }
}
