/**
 * Campaigns API, sending side (templates, campaigns and their lifecycle, per-recipient sends, the
 * tenant's sending settings), version 1. Additive changes only within a version. Segments and the
 * audience live in `campaigns.ts`; the events in `campaigns-events.ts`.
 */
import * as z from 'zod/mini'
import { AB_MODES, CAMPAIGN_GOALS } from './campaigns-events.js'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'

/** Longest template part accepted, in characters (Gmail clips an HTML body past ~100 KB anyway). */
export const MAX_TEMPLATE_PART = 100_000

const Part = (max: number) => z.string().check(z.minLength(1), z.maxLength(max))

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/**
 * A template: Liquid (`{{ contact.firstName | default: "there" }}`); every output in `html` is
 * HTML-escaped. `text` is optional: derived from the HTML when absent.
 */
export const CreateTemplate = z.strictObject({
  name: nameText(200),
  subject: Part(998),
  html: Part(MAX_TEMPLATE_PART),
  text: z.optional(Part(MAX_TEMPLATE_PART)),
})
export type CreateTemplate = z.infer<typeof CreateTemplate>

/** PUT replaces the whole template (If-Match). */
export const ReplaceTemplate = CreateTemplate
export type ReplaceTemplate = CreateTemplate

export const Template = z.object({
  id: z.string(),
  name: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.optional(z.string()),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Template = z.infer<typeof Template>
export const TemplatePage = page(Template)

/** Preview a template for one contact of the audience (its projection in campaigns). */
export const PreviewTemplate = z.strictObject({ contactId: z.string().check(z.minLength(1), z.maxLength(64)) })
export type PreviewTemplate = z.infer<typeof PreviewTemplate>

export const TemplatePreview = z.object({
  contactId: z.string(),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
})
export type TemplatePreview = z.infer<typeof TemplatePreview>

// ---------------------------------------------------------------------------------------------
// Campaigns
// ---------------------------------------------------------------------------------------------

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number]

/** A variant: the template a share of the audience receives (one variant when there is no A/B test). */
export const VariantInput = z.strictObject({
  name: z.optional(nameText(100)),
  templateId: Id,
})

/** The A/B set-up (camp-ab's rules read it): how variants share the audience and on what goal. */
export const AbSetup = z.strictObject({
  mode: z.enum(AB_MODES),
  goal: z.optional(z.enum(CAMPAIGN_GOALS)),
  /** test-then-winner: the share of the audience in the test slice, in percent. */
  testPercent: z.optional(z.int().check(z.minimum(1), z.maximum(50))),
  /** test-then-winner: hours after the test slice before the winner is chosen. */
  decideAfterHours: z.optional(z.int().check(z.minimum(1), z.maximum(168))),
})
export type AbSetup = z.infer<typeof AbSetup>

export const CreateCampaign = z.strictObject({
  name: nameText(200),
  segmentId: Id,
  /** 1 variant, or 2..5 for an A/B test. */
  variants: z.array(VariantInput).check(z.minLength(1), z.maxLength(5)),
  ab: z.optional(AbSetup),
  /** Shown as the sender's name (the address is the stage's verified sender). */
  fromName: z.optional(nameText(100)),
  replyTo: z.optional(EmailAddress),
})
export type CreateCampaign = z.infer<typeof CreateCampaign>

/** PATCH: a draft's fields (a scheduled campaign is cancelled first). */
export const UpdateCampaign = z.strictObject({
  name: z.optional(nameText(200)),
  segmentId: z.optional(Id),
  variants: z.optional(z.array(VariantInput).check(z.minLength(1), z.maxLength(5))),
  ab: z.optional(AbSetup),
  fromName: z.optional(nameText(100)),
  replyTo: z.optional(EmailAddress),
})
export type UpdateCampaign = z.infer<typeof UpdateCampaign>

/** Schedule a draft: `sendAt` in the future, or absent to send now. */
export const ScheduleCampaign = z.strictObject({ sendAt: z.optional(Timestamp) })
export type ScheduleCampaign = z.infer<typeof ScheduleCampaign>

export const CancelCampaign = z.strictObject({ reason: z.optional(nameText(500)) })
export type CancelCampaign = z.infer<typeof CancelCampaign>

export const Variant = z.object({ id: z.string(), name: z.string(), templateId: z.string() })
export type Variant = z.infer<typeof Variant>

/** How far a send got. `skipped`: left out at send time (no consent, suppressed, no address). */
export const SendProgress = z.object({
  sent: z.number(),
  skipped: z.number(),
  failed: z.number(),
  /** Batches done so far. */
  batches: z.number(),
})
export type SendProgress = z.infer<typeof SendProgress>

export const Campaign = z.object({
  id: z.string(),
  name: z.string(),
  segmentId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  variants: z.array(Variant),
  ab: z.optional(AbSetup),
  fromName: z.optional(z.string()),
  replyTo: z.optional(z.string()),
  sendAt: z.optional(Timestamp),
  startedAt: z.optional(Timestamp),
  completedAt: z.optional(Timestamp),
  cancelledAt: z.optional(Timestamp),
  progress: SendProgress,
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Campaign = z.infer<typeof Campaign>
export const CampaignPage = page(Campaign)

export const CampaignListQuery = z.strictObject({
  ...PaginationQuery.shape,
  status: z.optional(z.enum(CAMPAIGN_STATUSES)),
})

// ---------------------------------------------------------------------------------------------
// Per-recipient sends
// ---------------------------------------------------------------------------------------------

/**
 * `claimed`: reserved before SendRawEmail (so no one is sent twice); `sent`: SES accepted it;
 * `uncertain`: the call failed in a way that does not say whether SES took it (never re-sent);
 * then SES's feedback: `delivered`, `bounced`, `complained`.
 */
export const SEND_STATUSES = ['claimed', 'sent', 'uncertain', 'delivered', 'bounced', 'complained'] as const

export const Send = z.object({
  id: z.string(),
  campaignId: z.string(),
  contactId: z.string(),
  email: z.string(),
  variantId: z.string(),
  status: z.enum(SEND_STATUSES),
  sesMessageId: z.optional(z.string()),
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

// ---------------------------------------------------------------------------------------------
// Sending settings
// ---------------------------------------------------------------------------------------------

/** SES's default production quota is 14 messages a second; a tenant may share less of it. */
export const DEFAULT_SEND_RATE = 14
export const MAX_SEND_RATE = 1000

export const SendingSettings = z.strictObject({
  /** Messages per second this tenant's campaigns may send, all campaigns together. */
  ratePerSecond: z.int().check(z.minimum(1), z.maximum(MAX_SEND_RATE)),
  /** Postal address shown in the footer (CAN-SPAM asks for one). */
  postalAddress: z.optional(nameText(300)),
})
export type SendingSettings = z.infer<typeof SendingSettings>

export const SendingSettingsView = z.object({
  ratePerSecond: z.number(),
  postalAddress: z.optional(z.string()),
  version: z.number(),
})
export type SendingSettingsView = z.infer<typeof SendingSettingsView>
