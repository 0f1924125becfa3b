/**
 * Events of the campaigns service (source `crm.campaigns`), version 1 (additive changes only within
 * a version). `events.ts` aggregates them into the catalogue.
 *
 * Every `Email.*` event says whom it is about and which send it belongs to: `data.contactId`,
 * `data.email`, `data.campaignId`, `data.variantId` (a campaign without an A/B test has one variant;
 * a journey's email carries the journey id as `campaignId`, its step id as `variantId`, and
 * `journeyId`), and `data.sendId`, the per-recipient send record, so analytics can join sends,
 * opens and clicks (click-through) and attribute a conversion to the click before it.
 *
 * `Email.Unsubscribed`, `Email.Opened` and `Email.Clicked` existed before campaigns did: contacts
 * and pipeline read them, some senders (lead nurturing) know only an email or a lead id, so their
 * schemas keep those fields optional; campaigns itself always fills them.
 */
import * as z from 'zod/mini'
import { Timestamp } from './common.js'
import { type EventContract, eventContract } from './event-contract.js'

export const CAMPAIGNS_SOURCE = 'crm.campaigns'

export const CAMPAIGN_EMAIL_EVENT = {
  sent: 'Email.Sent',
  delivered: 'Email.Delivered',
  opened: 'Email.Opened',
  clicked: 'Email.Clicked',
  bounced: 'Email.Bounced',
  complained: 'Email.Complained',
  unsubscribed: 'Email.Unsubscribed',
} as const

export const CAMPAIGN_EVENT = {
  scheduled: 'Campaign.Scheduled',
  started: 'Campaign.Started',
  completed: 'Campaign.Completed',
  cancelled: 'Campaign.Cancelled',
} as const

export const VARIANT_EVENT = { promoted: 'Variant.Promoted' } as const

/** What a recipient's engagement is measured on (the A/B goal). */
export const CAMPAIGN_GOALS = ['open', 'click', 'conversion'] as const
export type CampaignGoal = (typeof CAMPAIGN_GOALS)[number]

const EmailText = z.string().check(z.minLength(3), z.maxLength(320))
const IdText = z.string().check(z.minLength(1), z.maxLength(128))

/**
 * What every email event of a campaign send carries: the recipient, the campaign and variant, and
 * the send record (one per recipient and campaign).
 */
const recipientFields = {
  contactId: IdText,
  email: EmailText,
  campaignId: IdText,
  variantId: IdText,
  /** The per-recipient send record (stable across retries: the join key of sends, opens and clicks). */
  sendId: IdText,
  /** Present when a journey step sent the email. */
  journeyId: z.optional(IdText),
  occurredAt: Timestamp,
}

/** `Email.Sent` v1 data: SES accepted the message for one recipient. */
export const EmailSentV1 = z.looseObject({
  ...recipientFields,
  /** SES's message id (Delivered/Bounced/Complained name it too). */
  sesMessageId: z.optional(z.string()),
  /** Campaign name and rendered subject, for timelines. */
  campaignName: z.optional(z.string()),
  subject: z.optional(z.string()),
})
export type EmailSentV1 = z.infer<typeof EmailSentV1>

/** `Email.Delivered` v1 data: the receiving server accepted the message (SES delivery notification). */
export const EmailDeliveredV1 = z.looseObject({
  ...recipientFields,
  sesMessageId: z.optional(z.string()),
})
export type EmailDeliveredV1 = z.infer<typeof EmailDeliveredV1>

export const BOUNCE_TYPES = ['Permanent', 'Transient', 'Undetermined'] as const

/** `Email.Bounced` v1 data: a permanent bounce puts the address on the suppression list. */
export const EmailBouncedV1 = z.looseObject({
  ...recipientFields,
  sesMessageId: z.optional(z.string()),
  bounceType: z.enum(BOUNCE_TYPES),
  bounceSubType: z.optional(z.string()),
  /** The remote server's diagnostic, when SES gives one. */
  diagnostic: z.optional(z.string().check(z.maxLength(1000))),
  /** True when the address is now suppressed (permanent bounce). */
  suppressed: z.boolean(),
})
export type EmailBouncedV1 = z.infer<typeof EmailBouncedV1>

/** `Email.Complained` v1 data: the recipient marked the message as spam; the address is suppressed. */
export const EmailComplainedV1 = z.looseObject({
  ...recipientFields,
  sesMessageId: z.optional(z.string()),
  /** ARF feedback type (`abuse`, `fraud`...), when the mailbox provider gives one. */
  feedbackType: z.optional(z.string()),
})
export type EmailComplainedV1 = z.infer<typeof EmailComplainedV1>

/**
 * `Email.Unsubscribed` v1 data: a recipient unsubscribed (link or list-unsubscribe header). `contactId`
 * when campaigns knows it; `email` always, so a consumer can find the person without it.
 */
export const EmailUnsubscribedV1 = z.object({
  contactId: z.optional(z.string()),
  email: EmailText,
  reason: z.optional(z.string()),
  occurredAt: Timestamp,
  campaignId: z.optional(z.string()),
  variantId: z.optional(z.string()),
  sendId: z.optional(z.string()),
  journeyId: z.optional(z.string()),
  /** `one-click` (RFC 8058 POST), `link` (the GET page), `complaint`. */
  method: z.optional(z.string()),
})
export type EmailUnsubscribedV1 = z.infer<typeof EmailUnsubscribedV1>

/**
 * `Email.Opened` / `Email.Clicked` v1 data: a recipient opened a campaign email or clicked a link in
 * it. Whom it is about: `contactId` when campaigns knows it, `leadId` for a lead recipient, `email`
 * always when known. Loose: campaigns may add fields within the version. `unique` is true on the
 * first open (first click) of this send, so counting unique opens needs no join.
 */
export const EmailEngagementV1 = z.looseObject({
  campaignId: z.optional(z.string()),
  variantId: z.optional(z.string()),
  sendId: z.optional(z.string()),
  journeyId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  leadId: z.optional(z.string()),
  email: z.optional(z.string().check(z.maxLength(320))),
  /** Clicks: the link's target and its position in the email. */
  url: z.optional(z.string()),
  linkIndex: z.optional(z.number()),
  unique: z.optional(z.boolean()),
  occurredAt: z.optional(Timestamp),
})
export type EmailEngagementV1 = z.infer<typeof EmailEngagementV1>

const ev = <const D extends z.ZodMiniType>(detailType: string, description: string, data: D) =>
  eventContract({ source: CAMPAIGNS_SOURCE, detailType, version: 1, description, data })

export const EmailSent = ev(
  CAMPAIGN_EMAIL_EVENT.sent,
  'A campaign or journey email was accepted by SES for one recipient (contacts shows it on the timeline).',
  EmailSentV1,
)
export const EmailDelivered = ev(
  CAMPAIGN_EMAIL_EVENT.delivered,
  "The recipient's mail server accepted a campaign email.",
  EmailDeliveredV1,
)
export const EmailOpened = ev(
  CAMPAIGN_EMAIL_EVENT.opened,
  'A recipient opened a campaign email (pipeline credits engagement points to the lead).',
  EmailEngagementV1,
)
export const EmailClicked = ev(
  CAMPAIGN_EMAIL_EVENT.clicked,
  'A recipient clicked a link in a campaign email (pipeline credits engagement points to the lead).',
  EmailEngagementV1,
)
export const EmailBounced = ev(
  CAMPAIGN_EMAIL_EVENT.bounced,
  'A campaign email bounced; a permanent bounce suppresses the address.',
  EmailBouncedV1,
)
export const EmailComplained = ev(
  CAMPAIGN_EMAIL_EVENT.complained,
  'A recipient reported a campaign email as spam; the address is suppressed.',
  EmailComplainedV1,
)
export const EmailUnsubscribed = ev(
  CAMPAIGN_EMAIL_EVENT.unsubscribed,
  'A recipient unsubscribed from campaign email; contacts withdraws the email consent (source campaign-unsubscribe).',
  EmailUnsubscribedV1,
)

/** A campaign's A/B set-up as the lifecycle events carry it. */
export const AB_MODES = ['none', 'test-then-winner', 'bandit'] as const
export type AbMode = (typeof AB_MODES)[number]

const campaignFields = {
  campaignId: IdText,
  name: z.string(),
  segmentId: z.optional(z.string()),
  variantIds: z.array(z.string()),
  abMode: z.enum(AB_MODES),
  goal: z.optional(z.enum(CAMPAIGN_GOALS)),
  /** The campaign's version after the change (consumers ignore an older one arriving late). */
  version: z.number(),
}

/** `Campaign.Scheduled` v1 data. */
export const CampaignScheduledV1 = z.looseObject({ ...campaignFields, scheduledAt: Timestamp })
export type CampaignScheduledV1 = z.infer<typeof CampaignScheduledV1>

/** `Campaign.Started` v1 data: sending began; `recipients` is the segment's size at that moment. */
export const CampaignStartedV1 = z.looseObject({
  ...campaignFields,
  startedAt: Timestamp,
  recipients: z.optional(z.number()),
})
export type CampaignStartedV1 = z.infer<typeof CampaignStartedV1>

/** `Campaign.Completed` v1 data: every recipient was sent to or skipped (no consent, suppressed, failed). */
export const CampaignCompletedV1 = z.looseObject({
  ...campaignFields,
  completedAt: Timestamp,
  sent: z.number(),
  skipped: z.number(),
  failed: z.number(),
})
export type CampaignCompletedV1 = z.infer<typeof CampaignCompletedV1>

/** `Campaign.Cancelled` v1 data: what was sent before the cancel stays sent. */
export const CampaignCancelledV1 = z.looseObject({
  ...campaignFields,
  cancelledAt: Timestamp,
  sentBeforeCancel: z.number(),
  reason: z.optional(z.string()),
})
export type CampaignCancelledV1 = z.infer<typeof CampaignCancelledV1>

/** One variant's figures at the moment of a decision. */
export const VariantFigures = z.looseObject({
  variantId: z.string(),
  sent: z.number(),
  successes: z.number(),
  /** Posterior probability of being the best (bandit), when computed. */
  probabilityBest: z.optional(z.number()),
})

/**
 * `Variant.Promoted` v1 data: an A/B test chose its winner (`test-then-winner`: the rest of the
 * audience gets it), or the bandit's allocation settled on one variant.
 */
export const VariantPromotedV1 = z.looseObject({
  campaignId: IdText,
  variantId: IdText,
  goal: z.enum(CAMPAIGN_GOALS),
  method: z.enum(['test-then-winner', 'bandit', 'manual']),
  figures: z.array(VariantFigures),
  decidedAt: Timestamp,
})
export type VariantPromotedV1 = z.infer<typeof VariantPromotedV1>

export const CampaignScheduled = ev(
  CAMPAIGN_EVENT.scheduled,
  'A campaign was scheduled to send at scheduledAt.',
  CampaignScheduledV1,
)
export const CampaignStarted = ev(
  CAMPAIGN_EVENT.started,
  'A campaign began sending to its segment.',
  CampaignStartedV1,
)
export const CampaignCompleted = ev(
  CAMPAIGN_EVENT.completed,
  'A campaign finished sending: sent, skipped and failed counts.',
  CampaignCompletedV1,
)
export const CampaignCancelled = ev(
  CAMPAIGN_EVENT.cancelled,
  'A scheduled or sending campaign was cancelled; no further email goes out.',
  CampaignCancelledV1,
)
export const VariantPromoted = ev(
  VARIANT_EVENT.promoted,
  "An A/B test's winning variant was chosen (test slice or bandit), with each variant's figures.",
  VariantPromotedV1,
)

/** Every campaigns event whose contract lives here (the manifest publishes exactly these). */
export const CAMPAIGNS_EVENTS: readonly EventContract[] = [
  EmailSent,
  EmailDelivered,
  EmailOpened,
  EmailClicked,
  EmailBounced,
  EmailComplained,
  EmailUnsubscribed,
  CampaignScheduled,
  CampaignStarted,
  CampaignCompleted,
  CampaignCancelled,
  VariantPromoted,
]
