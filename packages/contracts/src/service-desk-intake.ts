/**
 * Service desk intake API, version 1: inbound email (its answer and the quarantine), public
 * support forms, and satisfaction surveys (CSAT). Additive changes only within a version.
 */
import * as z from 'zod/mini'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import {
  ActorId,
  Category,
  CommentBody,
  Tag,
  TICKET_LIMITS,
  TICKET_PRIORITIES,
  TICKET_TYPES,
} from './service-desk.js'

// ------------------------------------------------------------------------------------------------
// Inbound email

/** Largest raw message accepted (bytes, after base64 decoding); its bytes are kept if quarantined. */
export const INBOUND_MAX_BYTES = 256 * 1024

/** Media types the inbound endpoint reads the raw message from. */
export const INBOUND_MEDIA_TYPES = ['message/rfc822', 'application/octet-stream'] as const

/** What happened to an inbound message. */
export const INBOUND_OUTCOMES = ['created', 'threaded', 'duplicate', 'quarantined'] as const

export const InboundResult = z.object({
  status: z.enum(INBOUND_OUTCOMES),
  /** The ticket the message opened or was added to (absent when quarantined). */
  ticketId: z.optional(z.string()),
  commentId: z.optional(z.string()),
  /** Whether a requester's reply reopened a solved ticket. */
  reopened: z.optional(z.boolean()),
  messageId: z.optional(z.string()),
  quarantineId: z.optional(z.string()),
  reason: z.optional(z.string()),
  detail: z.optional(z.string()),
})
export type InboundResult = z.infer<typeof InboundResult>

/** A quarantined message: why, and enough to recognise it (its bytes are read one by one). */
export const QuarantinedMessage = z.object({
  id: z.string(),
  reason: z.string(),
  detail: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  /** The first From / Subject header as received, if any (raw, at most 200 characters). */
  from: z.optional(z.string()),
  subject: z.optional(z.string()),
  receivedAt: Timestamp,
  /** Times the same bytes arrived. */
  deliveries: z.number(),
})
export type QuarantinedMessage = z.infer<typeof QuarantinedMessage>
export const QuarantinePage = page(QuarantinedMessage)

/** One quarantined message with its bytes (base64), to inspect or re-submit after a fix. */
export const QuarantinedMessageWithRaw = z.object({ ...QuarantinedMessage.shape, rawBase64: z.string() })

export const QuarantineParams = z.strictObject({
  id: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'Must be a quarantine id')),
})

// ------------------------------------------------------------------------------------------------
// Support forms (public web form → ticket, channel web)

export const SUPPORT_FORM_LIMITS = { rateLimitPerMinute: 600, defaultRateLimitPerMinute: 20 } as const

/** POST /support-forms body: what a submission's ticket gets, and how many a minute are taken. */
export const CreateSupportForm = z.strictObject({
  name: nameText(100),
  priority: z.optional(z.enum(TICKET_PRIORITIES)),
  type: z.optional(z.enum(TICKET_TYPES)),
  category: z.optional(Category),
  tags: z.optional(z.array(Tag).check(z.maxLength(TICKET_LIMITS.tags))),
  queueId: z.optional(ActorId),
  rateLimitPerMinute: z.optional(
    z.int().check(z.minimum(1), z.maximum(SUPPORT_FORM_LIMITS.rateLimitPerMinute)),
  ),
})
export type CreateSupportForm = z.infer<typeof CreateSupportForm>

export const SupportForm = z.object({
  id: z.string(),
  name: z.string(),
  priority: z.optional(z.enum(TICKET_PRIORITIES)),
  type: z.optional(z.enum(TICKET_TYPES)),
  category: z.optional(z.string()),
  tags: z.array(z.string()),
  queueId: z.optional(z.string()),
  rateLimitPerMinute: z.number(),
  /** Sent by the web page as `x-form-key`. */
  publicKey: z.string(),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type SupportForm = z.infer<typeof SupportForm>
export const SupportFormPage = page(SupportForm)

export const SupportFormParams = z.strictObject({ formId: Id })

/**
 * What the public form posts. `website` is the honeypot: hidden from people, so a filled one is a
 * bot (answered like a success, nothing stored).
 */
export const SupportSubmission = z.strictObject({
  email: EmailAddress,
  name: z.optional(nameText(TICKET_LIMITS.name)),
  subject: nameText(TICKET_LIMITS.subject),
  description: CommentBody.check(z.maxLength(10_000)),
  website: z.optional(z.string().check(z.maxLength(200))),
})
export type SupportSubmission = z.infer<typeof SupportSubmission>

export const SupportAccepted = z.object({ status: z.literal('accepted'), ticketId: z.string() })

// ------------------------------------------------------------------------------------------------
// Satisfaction (CSAT)

/** A survey link's token (a compact JWS: three base64url parts). */
export const CsatParams = z.strictObject({
  token: z.string().check(z.maxLength(2048), z.regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, 'Must be a survey token')),
})

const Score = z.int().check(z.minimum(1), z.maximum(5))

/** GET /public/csat/{token}?score=: the one-click rating of the survey email's links. */
export const CsatClickQuery = z.strictObject({
  score: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(5)),
})

/** POST /public/csat/{token} body: a rating with an optional comment (or the comment after a click). */
export const CsatRating = z.strictObject({
  score: Score,
  comment: z.optional(z.string().check(z.normalize('NFC'), z.maxLength(2000), z.regex(/^[^\0]*$/))),
})
export type CsatRating = z.infer<typeof CsatRating>

export const CsatAnswer = z.object({
  status: z.literal('rated'),
  ticketId: z.string(),
  score: z.number(),
  comment: z.optional(z.string()),
  ratedAt: Timestamp,
})
export type CsatAnswer = z.infer<typeof CsatAnswer>

/** A ticket's survey as agents see it (GET /tickets/{id}/satisfaction). */
export const Satisfaction = z.object({
  ticketId: z.string(),
  /** `none`: not solved yet (no survey); `skipped`: the requester has no email address. */
  status: z.enum(['none', 'queued', 'sent', 'skipped']),
  sentAt: z.optional(Timestamp),
  score: z.optional(z.number()),
  comment: z.optional(z.string()),
  ratedAt: z.optional(Timestamp),
  expiresAt: z.optional(Timestamp),
})
export type Satisfaction = z.infer<typeof Satisfaction>

export const QuarantineListQuery = PaginationQuery
