/**
 * Campaigns API, sending side: the per-recipient send records, the cancel body, the campaign list
 * filter and the tenant's sending settings, version 1. Additive changes only within a version.
 * Templates, campaigns and variants are in `campaigns.ts`; the events in `campaigns-events.ts`.
 */
import * as z from 'zod/mini'
import { CAMPAIGN_STATUSES } from './campaigns.js'
import { Id, nameText, PaginationQuery, page, Timestamp } from './common.js'

/** POST /campaigns/{id}/cancel body. */
export const CancelCampaign = z.strictObject({ reason: z.optional(nameText(500)) })
export type CancelCampaign = z.infer<typeof CancelCampaign>

/** GET /campaigns query: newest first, optionally one status. */
export const CampaignListQuery = z.strictObject({
  ...PaginationQuery.shape,
  status: z.optional(z.enum(CAMPAIGN_STATUSES)),
})

/**
 * `claimed`: reserved before SendRawEmail (so no one is sent twice); `sent`: SES accepted it;
 * `failed`: SES refused this message (not sent); `uncertain`: the call broke off in a way that does
 * not say whether SES took it (never sent again); then SES's feedback: `delivered`, `bounced`,
 * `complained`.
 */
export const SEND_STATUSES = [
  'claimed',
  'sent',
  'failed',
  'uncertain',
  'delivered',
  'bounced',
  'complained',
] as const
export type SendStatus = (typeof SEND_STATUSES)[number]

/** One recipient's send of one campaign. */
export const Send = z.object({
  id: z.string(),
  campaignId: z.string(),
  contactId: z.string(),
  email: z.string(),
  variantId: z.string(),
  status: z.enum(SEND_STATUSES),
  sesMessageId: z.optional(z.string()),
  error: z.optional(z.string()),
  claimedAt: Timestamp,
  sentAt: z.optional(Timestamp),
  openedAt: z.optional(Timestamp),
  clickedAt: z.optional(Timestamp),
  opens: z.number(),
  clicks: z.number(),
  unsubscribedAt: z.optional(Timestamp),
  feedbackAt: z.optional(Timestamp),
})
export type Send = z.infer<typeof Send>
export const SendPage = page(Send)

export const CampaignSendParams = z.strictObject({ id: Id })

/** SES's default production quota is 14 messages a second; a tenant may be given less or more of it. */
export const DEFAULT_SEND_RATE = 14
export const MAX_SEND_RATE = 1000

/** PUT /settings/email-sending body (If-Match). */
export const SendingSettings = z.strictObject({
  /** Messages per second this tenant's campaigns may send, all campaigns together. */
  ratePerSecond: z.int().check(z.minimum(1), z.maximum(MAX_SEND_RATE)),
  /** Postal address shown in every campaign's footer (CAN-SPAM asks for one). */
  postalAddress: z.optional(nameText(300)),
})
export type SendingSettings = z.infer<typeof SendingSettings>

export const SendingSettingsView = z.object({
  ratePerSecond: z.number(),
  postalAddress: z.optional(z.string()),
  version: z.number(),
})
export type SendingSettingsView = z.infer<typeof SendingSettingsView>
