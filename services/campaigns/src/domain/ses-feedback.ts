/**
 * SES's feedback on a campaign email (configuration-set events on EventBridge: source `aws.ses`,
 * detail-types `Email Delivered`, `Email Bounced`, `Email Complained`), read into what campaigns
 * does with it. Pure.
 *
 * | SES event                 | send status  | suppression             | event published   |
 * | ------------------------- | ------------ | ----------------------- | ----------------- |
 * | Delivery                  | `delivered`  | none                    | Email.Delivered   |
 * | Bounce, Permanent         | `bounced`    | reason `bounce`         | Email.Bounced     |
 * | Bounce, Transient / Undetermined | `bounced` | none (a full mailbox may empty) | Email.Bounced |
 * | Complaint                 | `complained` | reason `complaint`      | Email.Complained  |
 *
 * Which send it is about comes from the message tags the sender set (`t` = tenant, base64url;
 * `c` = campaign; `k` = contact): SES copies a message's tags into every event of it.
 */
import * as z from 'zod/mini'

export const SES_SOURCE = 'aws.ses'
export const SES_DETAIL_TYPES = ['Email Delivered', 'Email Bounced', 'Email Complained'] as const

const Tags = z.record(z.string(), z.array(z.string()))

/** The part of SES's event record campaigns reads (SES adds more; it is ignored). */
export const SesEventDetail = z.looseObject({
  eventType: z.string(),
  mail: z.looseObject({
    messageId: z.string(),
    timestamp: z.optional(z.string()),
    destination: z.optional(z.array(z.string())),
    tags: z.optional(Tags),
  }),
  bounce: z.optional(
    z.looseObject({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      timestamp: z.optional(z.string()),
      bouncedRecipients: z.optional(
        z.array(z.looseObject({ emailAddress: z.string(), diagnosticCode: z.optional(z.string()) })),
      ),
    }),
  ),
  complaint: z.optional(
    z.looseObject({
      timestamp: z.optional(z.string()),
      complaintFeedbackType: z.optional(z.string()),
    }),
  ),
  delivery: z.optional(z.looseObject({ timestamp: z.optional(z.string()) })),
})
export type SesEventDetail = z.infer<typeof SesEventDetail>

export type Feedback =
  | { kind: 'delivered'; at: string }
  | {
      kind: 'bounced'
      at: string
      bounceType: 'Permanent' | 'Transient' | 'Undetermined'
      bounceSubType?: string
      diagnostic?: string
      suppress: boolean
    }
  | { kind: 'complained'; at: string; feedbackType?: string; suppress: true }

/** The send a message's tags name, or undefined for mail that is not a campaign's (tickets, reminders). */
export function sendOf(
  detail: SesEventDetail,
): { tenantId: string; campaignId: string; contactId: string } | undefined {
  const tag = (name: string) => detail.mail.tags?.[name]?.[0]
  const t = tag('t')
  const c = tag('c')
  const k = tag('k')
  if (!t || !c || !k) return undefined
  const tenantId = Buffer.from(t, 'base64url').toString('utf8')
  if (!tenantId || tenantId.includes('#')) return undefined
  return { tenantId, campaignId: c, contactId: k }
}

const BOUNCE_TYPES = new Set(['Permanent', 'Transient', 'Undetermined'])

/** What the event says, or undefined for an event type campaigns does not act on. */
export function feedbackOf(detail: SesEventDetail, fallbackAt: string): Feedback | undefined {
  const at = (s: string | undefined) =>
    s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : fallbackAt
  if (detail.eventType === 'Delivery') return { kind: 'delivered', at: at(detail.delivery?.timestamp) }
  if (detail.eventType === 'Bounce' && detail.bounce) {
    const bounceType = (
      BOUNCE_TYPES.has(detail.bounce.bounceType) ? detail.bounce.bounceType : 'Undetermined'
    ) as 'Permanent' | 'Transient' | 'Undetermined'
    const diagnostic = detail.bounce.bouncedRecipients?.[0]?.diagnosticCode
    return {
      kind: 'bounced',
      at: at(detail.bounce.timestamp),
      bounceType,
      ...(detail.bounce.bounceSubType ? { bounceSubType: detail.bounce.bounceSubType } : {}),
      ...(diagnostic ? { diagnostic: diagnostic.slice(0, 1000) } : {}),
      suppress: bounceType === 'Permanent',
    }
  }
  if (detail.eventType === 'Complaint')
    return {
      kind: 'complained',
      at: at(detail.complaint?.timestamp),
      ...(detail.complaint?.complaintFeedbackType
        ? { feedbackType: detail.complaint.complaintFeedbackType }
        : {}),
      suppress: true,
    }
  return undefined
}
