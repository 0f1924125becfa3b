/** Interactions and the contact timeline, version 1 (additive changes only within a version). */
import * as z from 'zod/mini'
import { Id, nameText, Timestamp } from './common.js'

export const INTERACTION_TYPES = [
  'email',
  'call',
  'meeting',
  'chat',
  'social',
  'web_visit',
  'purchase',
  'note',
] as const
export type InteractionType = (typeof INTERACTION_TYPES)[number]

/** `detail-type` of a logged interaction (source `crm.contacts`). */
export const INTERACTION_EVENT = { logged: 'Interaction.Logged' } as const

const Money = z.strictObject({
  /** Integer minor units (cents, satang). */
  amountMinor: z.number().check(z.int(), z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER)),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'Must be an ISO 4217 code such as THB')),
})

/** POST /contacts/{id}/interactions body. `occurredAt` defaults to now and may not be in the future. */
export const LogInteraction = z.strictObject({
  type: z.enum(INTERACTION_TYPES),
  channel: z.optional(nameText(50)),
  direction: z.optional(z.enum(['inbound', 'outbound'])),
  occurredAt: z.optional(Timestamp),
  summary: nameText(2000),
  /** For purchases. */
  amount: z.optional(Money),
})
export type LogInteraction = z.infer<typeof LogInteraction>

/** An interaction as stored and returned. Its id sorts by `occurredAt`. */
export const Interaction = z.object({
  id: z.string(),
  contactId: z.string(),
  type: z.enum(INTERACTION_TYPES),
  channel: z.optional(z.string()),
  direction: z.optional(z.enum(['inbound', 'outbound'])),
  occurredAt: Timestamp,
  summary: z.string(),
  amount: z.optional(z.object({ amountMinor: z.number(), currency: z.string() })),
  loggedBy: z.string(),
  loggedAt: Timestamp,
})
export type Interaction = z.infer<typeof Interaction>

export const InteractionIdParams = z.strictObject({ id: Id, interactionId: Id })

/**
 * Timeline kinds written from other services' events (lead conversion, deals, tickets, campaign emails)
 * by the contacts service's own subscribers.
 */
export const RELATED_TIMELINE_KINDS = [
  'converted',
  'deal_opened',
  'deal_won',
  'deal_lost',
  'ticket_opened',
  'ticket_solved',
  'email_sent',
  'email_opened',
  'email_clicked',
] as const
export type RelatedTimelineKind = (typeof RELATED_TIMELINE_KINDS)[number]

/**
 * One entry of a contact's timeline, newest first: an interaction, or a change of the contact itself
 * (`created`, `updated` with its changes, `consent`). Events of other services (deals, tickets,
 * campaigns) will join as further kinds.
 */
export const TimelineEntry = z.object({
  id: z.string(),
  kind: z.enum(['interaction', 'created', 'updated', 'consent', 'merged', ...RELATED_TIMELINE_KINDS]),
  occurredAt: Timestamp,
  actorId: z.optional(z.string()),
  interaction: z.optional(Interaction),
  changes: z.optional(z.record(z.string(), z.unknown())),
  /** Entries from other services' events: one line for people (deal name and amount, ticket subject…). */
  summary: z.optional(z.string()),
  /** The other service's record the entry is about. */
  related: z.optional(z.object({ type: z.enum(['lead', 'deal', 'ticket', 'campaign']), id: z.string() })),
})
export type TimelineEntry = z.infer<typeof TimelineEntry>
export const TimelinePage = z.object({ items: z.array(TimelineEntry), nextCursor: z.optional(z.string()) })

/** `Interaction.Logged` v1 data: the interaction. */
export const InteractionLoggedV1 = Interaction
