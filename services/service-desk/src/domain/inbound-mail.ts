/**
 * Inbound email, pure: a raw MIME message (as an SES receipt rule stores it) → what the service
 * desk does with it. No AWS here; parsing is postal-mime's, the rules are ours:
 *
 * | raw message                                               | outcome                                   |
 * | --------------------------------------------------------- | ----------------------------------------- |
 * | empty, no header section, NUL/binary in the headers       | malformed (`empty` / `not_mime`)          |
 * | multipart whose boundary never appears in the body         | malformed (`broken_multipart`)            |
 * | no From with a usable address                              | malformed (`no_sender`)                   |
 * | parser gives up (nesting, header limits)                   | malformed (`unparseable`)                 |
 * | anything else                                              | a message: new ticket or reply (threading) |
 *
 * Malformed messages are quarantined by the store (kept with their bytes, listable), never dropped.
 *
 * Threading, strongest evidence first (see {@link threadEvidence}):
 *  1. In-Reply-To, then References newest first: a Message-ID the desk recorded (an inbound message
 *     or an outbound reply) names its ticket; so does one the desk minted (`<commentId.ticketId@…>`).
 *  2. A ticket tag in the subject (`[#<ticket id>]`) or a plus address (`support+<ticket id>@…`):
 *     only honoured when the sender is the ticket's requester, since anyone can type a subject.
 */
import { createHash } from 'node:crypto'
import PostalMime, { type Address, type Email, type Mailbox } from 'postal-mime'

/** Why a message was quarantined. */
export const QUARANTINE_REASONS = [
  'empty',
  'not_mime',
  'broken_multipart',
  'no_sender',
  'unparseable',
] as const
export type QuarantineReason = (typeof QUARANTINE_REASONS)[number]

/** What an inbound message says, after parsing and trimming. */
export interface InboundMessage {
  /** `<id@host>`; synthesised from the bytes' hash when the message has none (so redelivery dedupes). */
  messageId: string
  messageIdSynthesised: boolean
  from: { address: string; name?: string }
  to: string[]
  cc: string[]
  subject: string
  /** The new text of the message: quoted history and signatures' separators cut off. */
  text: string
  inReplyTo?: string
  /** Referenced Message-IDs, oldest first (at most {@link MAX_REFERENCES}, the newest kept). */
  references: string[]
  attachments: { filename: string; mimeType: string; size: number }[]
  /** `Auto-Submitted` other than `no`, or `Precedence: bulk|junk|auto_reply`: no ticket reopens for it. */
  autoSubmitted: boolean
}

export type InboundParse =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'malformed'; reason: QuarantineReason; detail: string }

/** Longest subject kept (the ticket contract's limit). */
export const MAX_SUBJECT = 250
/** Longest comment text kept; the rest is cut with a note (the whole message stays in the email). */
export const MAX_TEXT = 32_000
/** References kept: enough to thread any real conversation, bounded for a hostile one. */
export const MAX_REFERENCES = 20
/** Recipients kept per header. */
const MAX_RECIPIENTS = 50

/** Line the desk's outbound replies carry above the quoted history (cut when a reply comes back). */
export const REPLY_ABOVE_MARKER = '##- Please type your reply above this line -##'

/** Ticket ids are ULIDs (Crockford base32, 26 characters). */
const ULID = '[0-9A-HJKMNP-TV-Z]{26}'
const SUBJECT_TAG = new RegExp(`\\[#(${ULID})\\]`, 'i')
const PLUS_TAG = new RegExp(`^[^@+]+\\+(${ULID})@`, 'i')
const MINTED_ID = new RegExp(`^<${ULID}\\.(${ULID})@[^>]+>$`, 'i')

/** The ticket a Message-ID the desk minted names (`<commentId.ticketId@…>`, store/ticket-changes.ts). */
export function ticketOfMintedId(messageId: string): string | undefined {
  return MINTED_ID.exec(messageId)?.[1]?.toUpperCase()
}

/** The subject with the ticket's tag, as outbound replies carry it. */
export function taggedSubject(subject: string, ticketId: string): string {
  return SUBJECT_TAG.test(subject) ? subject : `${subject} [#${ticketId}]`
}

/** sha256 of the bytes, hex: the quarantine's and synthesised Message-ID's key. */
export function digestOf(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest('hex')
}

// ------------------------------------------------------------------------------------------------
// Shape checks on the raw bytes (postal-mime accepts almost anything, so these come first)

// RFC 5322 allows any printable but ':' in a field name; real mail uses letters, digits and '-'
// (X- headers add '_' or '.'), and the narrower rule is what tells a JSON or prose body from mail.
const FIELD_LINE = /^[A-Za-z0-9][A-Za-z0-9_.-]*[ \t]*:/
const CONTINUATION = /^[ \t]/

/** The header block's text (bytes up to the first empty line), or undefined when there is none. */
function headerBlock(raw: Uint8Array): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 256 * 1024)).toString(
    'latin1',
  )
  const end = /\r?\n\r?\n/.exec(text)
  return end ? text.slice(0, end.index) : text
}

/** Why the bytes are not a MIME message at all, or undefined when their header block is sound. */
export function shapeProblem(raw: Uint8Array): { reason: QuarantineReason; detail: string } | undefined {
  if (raw.byteLength === 0 || Buffer.from(raw).toString('latin1').trim() === '')
    return { reason: 'empty', detail: 'The message is empty.' }
  const block = headerBlock(raw)
  if (block.includes('\0')) return { reason: 'not_mime', detail: 'The header section contains NUL bytes.' }
  const lines = block.split(/\r?\n/)
  if (!FIELD_LINE.test(lines[0] ?? ''))
    return { reason: 'not_mime', detail: 'The message does not start with a header field (Name: value).' }
  const bad = lines.findIndex((l) => !FIELD_LINE.test(l) && !CONTINUATION.test(l))
  if (bad >= 0)
    return { reason: 'not_mime', detail: `Header line ${bad + 1} is neither a field nor a folded line.` }
  return undefined
}

/** The top-level multipart boundary the message declares, if any. */
function declaredBoundary(email: Email): string | undefined {
  const ct = email.headers.find((h) => h.key === 'content-type')?.value ?? ''
  if (!/^\s*multipart\//i.test(ct)) return undefined
  const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(ct)
  return m?.[1] ?? m?.[2]
}

// ------------------------------------------------------------------------------------------------
// Parsing

const flatAddresses = (
  list: readonly Address[] | Address | undefined,
): { address: string; name: string }[] => {
  const items: readonly Address[] = list === undefined ? [] : Array.isArray(list) ? list : [list as Address]
  return items.flatMap((a) =>
    a.group
      ? a.group.map((m: Mailbox) => ({ address: m.address, name: m.name }))
      : [{ address: a.address ?? '', name: a.name }],
  )
}

// Deliberately simple: a mailbox local@domain.tld without spaces or angle brackets.
const USABLE_ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/

const normaliseAddress = (address: string) => address.trim().toLowerCase()

/** Message-IDs in a header value, as `<…>` tokens (folded whitespace and comments ignored). */
export function messageIds(value: string | undefined): string[] {
  if (!value) return []
  return [...value.matchAll(/<([^<>\s]{1,250})>/g)].map((m) => `<${m[1]}>`)
}

/** HTML to plain text, for messages that only carry HTML: tags dropped, blocks become lines. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** Lines that start the quoted history of a reply, in the forms mail clients write them. */
const QUOTE_HEADERS = [
  /^On .{1,300}wrote:\s*$/,
  /^Le .{1,300}a écrit\s*:\s*$/,
  /^Am .{1,300}schrieb .{0,200}:\s*$/,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
  /^From:\s.+$/,
]

/**
 * The new part of a reply: everything above the desk's marker, above the first line that starts a
 * quoted history ("On … wrote:", Outlook's "From:" block), with trailing `>` lines dropped. A
 * message that is all quote keeps its text (a forward must not become empty).
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let end = lines.length
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim()
    if (line.includes(REPLY_ABOVE_MARKER) || QUOTE_HEADERS.some((re) => re.test(line))) {
      // Outlook's "From:" only starts a quote after a blank line or a separator, not as the first line.
      if (line.startsWith('From:') && (i === 0 || (lines[i - 1] ?? '').trim() !== '')) continue
      end = i
      break
    }
  }
  const kept = lines.slice(0, end)
  while (kept.length && /^\s*(>.*)?$/.test(kept[kept.length - 1] ?? '')) kept.pop()
  const result = kept.join('\n').trim()
  return result || text.trim()
}

/** Cuts text to `max` characters with a note saying so. */
function bounded(text: string, max: number): string {
  if (text.length <= max) return text
  const note = '\n\n[… cut: the full message is in the original email]'
  return text.slice(0, max - note.length) + note
}

const headerOf = (email: Email, key: string) => email.headers.find((h) => h.key === key)?.value

function isAutoSubmitted(email: Email): boolean {
  const auto = headerOf(email, 'auto-submitted')?.trim().toLowerCase()
  if (auto && auto !== 'no') return true
  const precedence = headerOf(email, 'precedence')?.trim().toLowerCase()
  return precedence === 'bulk' || precedence === 'junk' || precedence === 'auto_reply'
}

const attachmentSize = (content: ArrayBuffer | Uint8Array | string) =>
  typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength

/**
 * Parses a raw message into what the desk acts on, or says why it is malformed. Never throws for
 * any input: every refusal is an outcome the store quarantines.
 *
 * @example
 * const out = await parseInbound(Buffer.from('From: ann@example.com\r\nSubject: Hi\r\n\r\nHello'))
 * // out.kind === 'message', out.message.from.address === 'ann@example.com'
 */
export async function parseInbound(raw: Uint8Array): Promise<InboundParse> {
  const shape = shapeProblem(raw)
  if (shape) return { kind: 'malformed', ...shape }
  let email: Email
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' })
  } catch (err) {
    return {
      kind: 'malformed',
      reason: 'unparseable',
      detail: `The MIME parser gave up: ${String(err).slice(0, 200)}`,
    }
  }
  const boundary = declaredBoundary(email)
  if (boundary !== undefined && !Buffer.from(raw).includes(`--${boundary}`))
    return {
      kind: 'malformed',
      reason: 'broken_multipart',
      detail: `The message is multipart but its boundary "${boundary.slice(0, 70)}" never appears.`,
    }
  const sender = [...flatAddresses(email.from), ...flatAddresses(email.sender)].find((a) =>
    USABLE_ADDRESS.test(a.address.trim()),
  )
  if (!sender)
    return { kind: 'malformed', reason: 'no_sender', detail: 'The message has no usable From address.' }

  const ownId = messageIds(email.messageId)[0]
  const body = email.text?.trim() ? email.text : email.html ? htmlToText(email.html) : ''
  const text = bounded(stripQuotedReply(body), MAX_TEXT)
  const subject = (email.subject ?? '')
    .replace(/[\p{Cc}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const references = messageIds(email.references).slice(-MAX_REFERENCES)
  const inReplyTo = messageIds(email.inReplyTo)[0]
  const name = sender.name.replace(/[\p{Cc}]+/gu, ' ').trim()
  return {
    kind: 'message',
    message: {
      messageId: ownId ?? `<sha256.${digestOf(raw)}@inbound.relay>`,
      messageIdSynthesised: ownId === undefined,
      from: { address: normaliseAddress(sender.address), ...(name ? { name: name.slice(0, 200) } : {}) },
      to: flatAddresses(email.to)
        .map((a) => normaliseAddress(a.address))
        .filter(Boolean)
        .slice(0, MAX_RECIPIENTS),
      cc: flatAddresses(email.cc)
        .map((a) => normaliseAddress(a.address))
        .filter(Boolean)
        .slice(0, MAX_RECIPIENTS),
      subject: subject.slice(0, MAX_SUBJECT) || '(no subject)',
      // An empty body (a subject-only mail) still makes a ticket: the comment says so.
      text: text || '(no text)',
      ...(inReplyTo ? { inReplyTo } : {}),
      references,
      attachments: email.attachments.slice(0, 100).map((a) => ({
        filename: (a.filename ?? 'attachment').slice(0, 200),
        mimeType: a.mimeType,
        size: attachmentSize(a.content),
      })),
      autoSubmitted: isAutoSubmitted(email),
    },
  }
}

// ------------------------------------------------------------------------------------------------
// Threading

/** What a message offers to find its ticket, strongest first. */
export interface ThreadEvidence {
  /** Message-IDs to look up in the desk's index: In-Reply-To, then References newest first. */
  messageIds: string[]
  /** Tickets named by a Message-ID the desk minted (as strong as an indexed id). */
  mintedTickets: string[]
  /** Tickets named by a subject tag or plus address (honoured only for the requester). */
  taggedTickets: string[]
}

export function threadEvidence(m: InboundMessage): ThreadEvidence {
  const ids = [...(m.inReplyTo ? [m.inReplyTo] : []), ...[...m.references].reverse()]
  const messageIds = [...new Set(ids)].filter((id) => id !== m.messageId)
  const minted = messageIds.map(ticketOfMintedId).filter((t): t is string => t !== undefined)
  const subjectTag = SUBJECT_TAG.exec(m.subject)?.[1]?.toUpperCase()
  const plusTags = [...m.to, ...m.cc]
    .map((a) => PLUS_TAG.exec(a)?.[1]?.toUpperCase())
    .filter((t): t is string => t !== undefined)
  return {
    messageIds,
    mintedTickets: [...new Set(minted)],
    taggedTickets: [...new Set([...(subjectTag ? [subjectTag] : []), ...plusTags])],
  }
}

/** A candidate ticket as the store found it. */
export interface ThreadCandidate {
  ticketId: string
  status: string
  requesterEmail?: string | undefined
}

/** Where a message goes: onto a ticket, or a new one. */
export type ThreadDecision =
  | { kind: 'reply'; ticketId: string; byRequester: boolean; reopen: boolean }
  | { kind: 'new'; reason: 'no_thread' | 'closed' | 'tag_not_requester' }

/**
 * Decides the thread from the candidates the store resolved: `byId` (indexed or minted Message-IDs,
 * in evidence order) first, then `byTag`. A closed ticket is final: a reply to it opens a new ticket
 * (Zendesk's follow-up). A requester's reply to a solved ticket reopens it, unless it is an
 * automatic message (an out-of-office must not undo a solve).
 */
export function decideThread(
  m: InboundMessage,
  byId: readonly ThreadCandidate[],
  byTag: readonly ThreadCandidate[],
): ThreadDecision {
  const sender = m.from.address
  const isRequester = (c: ThreadCandidate) =>
    c.requesterEmail !== undefined && c.requesterEmail.toLowerCase() === sender
  const tagged = byTag.find(isRequester)
  const found = byId[0] ?? tagged
  if (!found) return { kind: 'new', reason: byTag.length ? 'tag_not_requester' : 'no_thread' }
  if (found.status === 'closed') return { kind: 'new', reason: 'closed' }
  const byRequester = isRequester(found)
  return {
    kind: 'reply',
    ticketId: found.ticketId,
    byRequester,
    reopen: byRequester && found.status === 'solved' && !m.autoSubmitted,
  }
}
