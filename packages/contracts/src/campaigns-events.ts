/**
 * Events of the campaigns service (source `crm.campaigns`) that other services consume, version 1
 * (additive changes only within a version).
 */
import * as z from 'zod/mini'
import { Timestamp } from './common.js'
import type { EventContract } from './event-contract.js'

export const CAMPAIGNS_SOURCE = 'crm.campaigns'
export const CAMPAIGN_EMAIL_EVENT = { unsubscribed: 'Email.Unsubscribed' } as const

/**
 * `Email.Unsubscribed` v1 data: a recipient unsubscribed (link or list-unsubscribe header). `contactId`
 * when campaigns knows it; `email` always, so a consumer can find the person without it.
 */
export const EmailUnsubscribedV1 = z.object({
  contactId: z.optional(z.string()),
  email: z.string().check(z.minLength(3), z.maxLength(320)),
  reason: z.optional(z.string()),
  occurredAt: Timestamp,
})
export type EmailUnsubscribedV1 = z.infer<typeof EmailUnsubscribedV1>

export const EmailUnsubscribed = {
  source: CAMPAIGNS_SOURCE,
  detailType: CAMPAIGN_EMAIL_EVENT.unsubscribed,
  version: 1,
  description:
    'A recipient unsubscribed from campaign email; contacts withdraws the email consent (source campaign-unsubscribe).',
  data: EmailUnsubscribedV1,
} as const satisfies EventContract

export const CAMPAIGN_ENGAGEMENT_EVENT = { opened: 'Email.Opened', clicked: 'Email.Clicked' } as const

/**
 * `Email.Opened` / `Email.Clicked` v1 data: a recipient opened a campaign email or clicked a link in
 * it. Whom it is about: `contactId` when campaigns knows it, `leadId` for a lead recipient, `email`
 * always when known. Loose: campaigns may add fields within the version.
 */
export const EmailEngagementV1 = z.looseObject({
  campaignId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  leadId: z.optional(z.string()),
  email: z.optional(z.string().check(z.maxLength(320))),
  url: z.optional(z.string()),
  occurredAt: z.optional(Timestamp),
})
export type EmailEngagementV1 = z.infer<typeof EmailEngagementV1>

export const EmailOpened = {
  source: CAMPAIGNS_SOURCE,
  detailType: CAMPAIGN_ENGAGEMENT_EVENT.opened,
  version: 1,
  description: 'A recipient opened a campaign email (pipeline credits engagement points to the lead).',
  data: EmailEngagementV1,
} as const satisfies EventContract

export const EmailClicked = {
  source: CAMPAIGNS_SOURCE,
  detailType: CAMPAIGN_ENGAGEMENT_EVENT.clicked,
  version: 1,
  description:
    'A recipient clicked a link in a campaign email (pipeline credits engagement points to the lead).',
  data: EmailEngagementV1,
} as const satisfies EventContract

/** Every campaigns event whose contract lives here. */
export const CAMPAIGNS_EVENTS: readonly EventContract[] = [EmailUnsubscribed, EmailOpened, EmailClicked]
