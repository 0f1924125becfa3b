/**
 * Campaigns API (segments, suppressions, templates, campaigns and their A/B variants, reports,
 * journeys), version 1. Additive changes only within a version. Events are in
 * `campaigns-events.ts`.
 */
import * as z from 'zod/mini'
import { CAMPAIGN_GOALS } from './campaigns-events.js'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import { CONSENT_CHANNELS, LIFECYCLE_STAGES, TIERS } from './contacts.js'

/** Limits written down once for schemas, docs and tests. */
export const CAMPAIGN_LIMITS = {
  /** Depth of a segment's rule tree (the root is depth 1). */
  ruleDepth: 6,
  /** Nodes (conditions and groups) in one rule tree. */
  ruleNodes: 100,
  /** Values of one `in` / tag condition. */
  ruleValues: 100,
  previewSample: 50,
  templateHtml: 200_000,
  templateText: 100_000,
  /** RFC 5322 line limit; a subject is one header. */
  subject: 998,
  variants: 5,
} as const

// ---------------------------------------------------------------------------------------------
// Segments

/** Contact fields a segment can test (text, compared case- and accent-insensitively). */
export const SEGMENT_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'displayName',
  'companyName',
  'jobTitle',
  'source',
  'channel',
  'ownerId',
] as const
export type SegmentField = (typeof SEGMENT_FIELDS)[number]

export const TEXT_OPS = [
  'eq',
  'neq',
  'contains',
  'startsWith',
  'endsWith',
  'in',
  'exists',
  'notExists',
] as const
export const CUSTOM_OPS = [...TEXT_OPS, 'gt', 'gte', 'lt', 'lte'] as const
/** Consent a condition tests: `none` is a channel with no consent ever recorded. */
export const CONSENT_STATES = ['granted', 'denied', 'withdrawn', 'none'] as const
export const ENGAGEMENT_EVENTS = ['sent', 'opened', 'clicked'] as const

const RuleText = z.string().check(z.maxLength(500))
const RuleValues = z.array(RuleText).check(z.minLength(1), z.maxLength(CAMPAIGN_LIMITS.ruleValues))
const CustomValue = z.union([RuleText, z.number(), z.boolean()])

// `in` takes `values`; `exists`/`notExists` nothing; every other operator one `value`.
const operandsMatch = (input: unknown) => {
  const c = input as { op: string; value?: unknown; values?: unknown }
  return c.op === 'in'
    ? c.values !== undefined && c.value === undefined
    : c.op === 'exists' || c.op === 'notExists'
      ? c.value === undefined && c.values === undefined
      : c.value !== undefined && c.values === undefined
}
const operands = z.refine(operandsMatch, {
  message: '`in` takes `values`, `exists`/`notExists` neither, every other operator one `value`',
})

/** A contact field compared with text: `{ type: 'field', field: 'email', op: 'endsWith', value: '@acme.io' }`. */
export const FieldCondition = z
  .strictObject({
    type: z.literal('field'),
    field: z.enum(SEGMENT_FIELDS),
    op: z.enum(TEXT_OPS),
    value: z.optional(RuleText),
    values: z.optional(RuleValues),
  })
  .check(operands)

/** Tags: `hasAny`, `hasAll` or `hasNone` of `values` (case-insensitive). */
export const TagCondition = z.strictObject({
  type: z.literal('tag'),
  op: z.enum(['hasAny', 'hasAll', 'hasNone']),
  values: RuleValues,
})

/** A channel's consent state. */
export const ConsentCondition = z.strictObject({
  type: z.literal('consent'),
  channel: z.enum(CONSENT_CHANNELS),
  status: z.enum(CONSENT_STATES),
})

export const LifecycleCondition = z.strictObject({
  type: z.literal('lifecycle'),
  op: z.enum(['in', 'notIn']),
  values: z.array(z.enum(LIFECYCLE_STAGES)).check(z.minLength(1)),
})

export const TierCondition = z.strictObject({
  type: z.literal('tier'),
  op: z.enum(['in', 'notIn']),
  values: z.array(z.enum(TIERS)).check(z.minLength(1)),
})

/**
 * Engagement with this tenant's campaigns: `within` = at least once in the last `days` days,
 * `notWithin` = not in that time (never included): re-engagement targets "no open in 90 days".
 */
export const EngagementCondition = z.strictObject({
  type: z.literal('engagement'),
  event: z.enum(ENGAGEMENT_EVENTS),
  op: z.enum(['within', 'notWithin']),
  days: z.int().check(z.minimum(1), z.maximum(3650)),
})

/** A custom field: text operators, and `gt`/`gte`/`lt`/`lte` on numbers and ISO dates. */
export const CustomFieldCondition = z
  .strictObject({
    type: z.literal('custom'),
    key: z.string().check(z.regex(/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/, 'Must be a custom field key')),
    op: z.enum(CUSTOM_OPS),
    value: z.optional(CustomValue),
    values: z.optional(RuleValues),
  })
  .check(operands)

export type FieldCondition = z.infer<typeof FieldCondition>
export type TagCondition = z.infer<typeof TagCondition>
export type ConsentCondition = z.infer<typeof ConsentCondition>
export type LifecycleCondition = z.infer<typeof LifecycleCondition>
export type TierCondition = z.infer<typeof TierCondition>
export type EngagementCondition = z.infer<typeof EngagementCondition>
export type CustomFieldCondition = z.infer<typeof CustomFieldCondition>

/** A node of a segment's rule tree: a condition, or `and` / `or` of rules, or `not` of one. */
export type SegmentRule =
  | FieldCondition
  | TagCondition
  | ConsentCondition
  | LifecycleCondition
  | TierCondition
  | EngagementCondition
  | CustomFieldCondition
  | { type: 'and'; rules: SegmentRule[] }
  | { type: 'or'; rules: SegmentRule[] }
  | { type: 'not'; rule: SegmentRule }

const RuleTree: z.ZodMiniType<SegmentRule> = z.discriminatedUnion('type', [
  FieldCondition,
  TagCondition,
  ConsentCondition,
  LifecycleCondition,
  TierCondition,
  EngagementCondition,
  CustomFieldCondition,
  z.strictObject({
    type: z.literal('and'),
    get rules() {
      return z.array(RuleTree).check(z.minLength(1), z.maxLength(CAMPAIGN_LIMITS.ruleNodes))
    },
  }),
  z.strictObject({
    type: z.literal('or'),
    get rules() {
      return z.array(RuleTree).check(z.minLength(1), z.maxLength(CAMPAIGN_LIMITS.ruleNodes))
    },
  }),
  z.strictObject({
    type: z.literal('not'),
    get rule() {
      return RuleTree
    },
  }),
])

/**
 * Depth and node count of a rule tree as JSON, walked without recursion: a body nested thousands
 * deep is refused here, before the recursive schema could overflow the stack on it.
 */
function treeSize(value: unknown): { depth: number; nodes: number } {
  let depth = 0
  let nodes = 0
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length) {
    const [node, d] = stack.pop() as [unknown, number]
    if (!node || typeof node !== 'object' || Array.isArray(node)) continue
    nodes++
    depth = Math.max(depth, d)
    if (depth > CAMPAIGN_LIMITS.ruleDepth || nodes > CAMPAIGN_LIMITS.ruleNodes) break
    const n = node as { rules?: unknown; rule?: unknown }
    if (Array.isArray(n.rules)) for (const r of n.rules) stack.push([r, d + 1])
    if (n.rule !== undefined) stack.push([n.rule, d + 1])
  }
  return { depth, nodes }
}

/**
 * A segment's rule tree, at most {@link CAMPAIGN_LIMITS.ruleDepth} deep and
 * {@link CAMPAIGN_LIMITS.ruleNodes} nodes.
 *
 * @example
 * { type: 'and', rules: [
 *   { type: 'tag', op: 'hasAny', values: ['vip'] },
 *   { type: 'engagement', event: 'opened', op: 'within', days: 30 },
 *   { type: 'not', rule: { type: 'lifecycle', op: 'in', values: ['customer'] } },
 * ] }
 */
export const SegmentRule: z.ZodMiniType<SegmentRule> = z.pipe(
  z.transform((value: unknown, ctx) => {
    const { depth, nodes } = treeSize(value)
    if (depth > CAMPAIGN_LIMITS.ruleDepth || nodes > CAMPAIGN_LIMITS.ruleNodes)
      ctx.issues.push({
        code: 'custom',
        message: `A rule tree has at most ${CAMPAIGN_LIMITS.ruleDepth} levels and ${CAMPAIGN_LIMITS.ruleNodes} nodes`,
        input: value,
      })
    return value
  }),
  RuleTree,
)

/** POST /segments body. */
export const CreateSegment = z.strictObject({
  name: nameText(100),
  description: z.optional(nameText(500)),
  rule: SegmentRule,
})
export type CreateSegment = z.infer<typeof CreateSegment>

/** PATCH /segments/{id} body (If-Match). */
export const UpdateSegment = z.strictObject({
  name: z.optional(nameText(100)),
  description: z.optional(z.nullable(nameText(500))),
  rule: z.optional(SegmentRule),
})
export type UpdateSegment = z.infer<typeof UpdateSegment>

export const Segment = z.object({
  id: z.string(),
  name: z.string(),
  description: z.optional(z.string()),
  rule: SegmentRule,
  createdBy: z.string(),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Segment = z.infer<typeof Segment>
export const SegmentPage = page(Segment)

export const SegmentIdParams = z.strictObject({ id: Id })
export const ListSegmentsQuery = PaginationQuery

/** GET /segments/{id}/preview query: how many members to show (default 10). */
export const SegmentPreviewQuery = z.strictObject({
  sample: z.optional(
    z.coerce.number().check(z.int(), z.minimum(0), z.maximum(CAMPAIGN_LIMITS.previewSample)),
  ),
})

/** POST /segments/preview body: a rule tree not saved yet (the segment builder's live count). */
export const PreviewRule = z.strictObject({
  rule: SegmentRule,
  sample: z.optional(z.int().check(z.minimum(0), z.maximum(CAMPAIGN_LIMITS.previewSample))),
})
export type PreviewRule = z.infer<typeof PreviewRule>

/** A person of the audience as campaigns knows them (its projection of contacts). */
export const AudienceMember = z.object({
  contactId: z.string(),
  email: z.string(),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  displayName: z.optional(z.string()),
  tags: z.array(z.string()),
  lifecycleStage: z.optional(z.string()),
  tier: z.optional(z.string()),
})
export type AudienceMember = z.infer<typeof AudienceMember>

/**
 * GET /segments/{id}/preview: `count` = who would receive a campaign now (the rule matches, email
 * consent granted, address not suppressed), `matched` = whom the rule alone matches, and why the
 * difference was left out.
 */
export const SegmentPreview = z.object({
  /** Absent for a rule not saved yet (POST /segments/preview). */
  segmentId: z.optional(z.string()),
  count: z.number(),
  matched: z.number(),
  excluded: z.object({ noEmail: z.number(), noConsent: z.number(), suppressed: z.number() }),
  sample: z.array(AudienceMember),
  evaluatedAt: Timestamp,
  /** Audience members read (the tenant's whole projection). */
  scanned: z.number(),
  tookMs: z.number(),
})
export type SegmentPreview = z.infer<typeof SegmentPreview>

// ---------------------------------------------------------------------------------------------
// Suppressions

export const SUPPRESSION_REASONS = ['bounce', 'complaint', 'unsubscribe', 'manual'] as const
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number]

/** An address no campaign email goes to. */
export const Suppression = z.object({
  email: z.string(),
  reason: z.enum(SUPPRESSION_REASONS),
  /** What put it there (`ses-bounce`, `one-click`, a user id...). */
  source: z.string(),
  campaignId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  detail: z.optional(z.string()),
  at: Timestamp,
})
export type Suppression = z.infer<typeof Suppression>
export const SuppressionPage = page(Suppression)

/** POST /suppressions body: suppress an address by hand. */
export const CreateSuppression = z.strictObject({
  email: EmailAddress,
  detail: z.optional(nameText(500)),
})
export type CreateSuppression = z.infer<typeof CreateSuppression>

/** DELETE /suppressions/{email}: the address, URL-encoded. */
export const SuppressionParams = z.strictObject({ email: EmailAddress })

// ---------------------------------------------------------------------------------------------
// Templates

/** POST /templates body: subject, HTML and text parts, Liquid personalisation (`{{ contact.firstName }}`). */
export const CreateTemplate = z.strictObject({
  name: nameText(100),
  subject: z.string().check(z.minLength(1), z.maxLength(CAMPAIGN_LIMITS.subject)),
  html: z.string().check(z.minLength(1), z.maxLength(CAMPAIGN_LIMITS.templateHtml)),
  text: z.optional(z.string().check(z.maxLength(CAMPAIGN_LIMITS.templateText))),
})
export type CreateTemplate = z.infer<typeof CreateTemplate>

export const UpdateTemplate = z.strictObject({
  name: z.optional(CreateTemplate.shape.name),
  subject: z.optional(CreateTemplate.shape.subject),
  html: z.optional(CreateTemplate.shape.html),
  text: z.optional(z.nullable(z.string().check(z.maxLength(CAMPAIGN_LIMITS.templateText)))),
})
export type UpdateTemplate = z.infer<typeof UpdateTemplate>

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

/** POST /templates/{id}/preview body: render for one contact of the audience, or for sample data. */
export const PreviewTemplate = z.strictObject({
  contactId: z.optional(Id),
  contact: z.optional(
    z.record(
      z.string().check(z.maxLength(64)),
      z.union([z.string().check(z.maxLength(1000)), z.number(), z.boolean()]),
    ),
  ),
})
export const RenderedTemplate = z.object({ subject: z.string(), html: z.string(), text: z.string() })

// ---------------------------------------------------------------------------------------------
// Campaigns

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number]

/** One variant of a campaign: its template (and an optional subject overriding the template's). */
export const VariantInput = z.strictObject({
  name: nameText(60),
  templateId: Id,
  subject: z.optional(CreateTemplate.shape.subject),
})

/**
 * How variants share the audience: `none` (one variant), `test-then-winner` (`testPercent` of the
 * audience split evenly, the winner on `goal` after `decideAfterMinutes` goes to the rest), `bandit`
 * (Thompson sampling on `goal`: sends shift to the better variant as results come in).
 */
export const AbSettings = z.strictObject({
  mode: z.enum(['none', 'test-then-winner', 'bandit']),
  goal: z.optional(z.enum(CAMPAIGN_GOALS)),
  testPercent: z.optional(z.int().check(z.minimum(2), z.maximum(50))),
  decideAfterMinutes: z.optional(z.int().check(z.minimum(1), z.maximum(10_080))),
})

/** POST /campaigns body: a draft. */
export const CreateCampaign = z.strictObject({
  name: nameText(100),
  segmentId: Id,
  variants: z.array(VariantInput).check(z.minLength(1), z.maxLength(CAMPAIGN_LIMITS.variants)),
  ab: z.optional(AbSettings),
  fromName: z.optional(nameText(100)),
  replyTo: z.optional(EmailAddress),
})
export type CreateCampaign = z.infer<typeof CreateCampaign>

/** PATCH /campaigns/{id} body (drafts only, If-Match). */
export const UpdateCampaign = z.strictObject({
  name: z.optional(CreateCampaign.shape.name),
  segmentId: z.optional(Id),
  variants: z.optional(CreateCampaign.shape.variants),
  ab: z.optional(AbSettings),
  fromName: z.optional(z.nullable(nameText(100))),
  replyTo: z.optional(z.nullable(EmailAddress)),
})
export type UpdateCampaign = z.infer<typeof UpdateCampaign>

/** POST /campaigns/{id}/schedule body: when to send (now when absent). */
export const ScheduleCampaign = z.strictObject({ at: z.optional(Timestamp) })

export const Variant = z.object({
  id: z.string(),
  name: z.string(),
  templateId: z.string(),
  subject: z.optional(z.string()),
})

export const Campaign = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  segmentId: z.string(),
  variants: z.array(Variant),
  ab: z.object({
    mode: z.enum(['none', 'test-then-winner', 'bandit']),
    goal: z.optional(z.enum(CAMPAIGN_GOALS)),
    testPercent: z.optional(z.number()),
    decideAfterMinutes: z.optional(z.number()),
    winnerVariantId: z.optional(z.string()),
  }),
  fromName: z.optional(z.string()),
  replyTo: z.optional(z.string()),
  scheduledAt: z.optional(Timestamp),
  startedAt: z.optional(Timestamp),
  completedAt: z.optional(Timestamp),
  cancelledAt: z.optional(Timestamp),
  progress: z.optional(z.object({ sent: z.number(), skipped: z.number(), failed: z.number() })),
  createdBy: z.string(),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Campaign = z.infer<typeof Campaign>
export const CampaignPage = page(Campaign)
export const CampaignIdParams = z.strictObject({ id: Id })

// ---------------------------------------------------------------------------------------------
// Reports

/** One variant's (or the campaign's) figures; rates are fractions 0..1 (0 when nothing was sent). */
export const VariantMetrics = z.object({
  variantId: z.optional(z.string()),
  name: z.optional(z.string()),
  sent: z.number(),
  delivered: z.number(),
  uniqueOpens: z.number(),
  uniqueClicks: z.number(),
  /** First clicks of each link (a recipient clicking two links counts twice). */
  clicks: z.number(),
  /** uniqueClicks / delivered (sent − bounces when no delivery notification came). */
  clickThroughRate: z.number(),
  openRate: z.number(),
  /** uniqueClicks / uniqueOpens. */
  clickToOpenRate: z.number(),
  unsubscribes: z.number(),
  bounces: z.number(),
  complaints: z.number(),
  bounceRate: z.number(),
  unsubscribeRate: z.number(),
  complaintRate: z.number(),
  /** Recipients who converted (a won deal or a purchase) after a click, within the window. */
  conversions: z.number(),
  conversionRate: z.number(),
  /** Attributed revenue per currency, in minor units. */
  revenue: z.array(z.object({ currency: z.string(), amountMinor: z.number() })),
  /** Bandit: posterior probability that this variant is the best on the goal. */
  probabilityBest: z.optional(z.number()),
})
export type VariantMetrics = z.infer<typeof VariantMetrics>

/** Where the A/B test stands: not a test, filling the test slice, waiting, exploring (bandit) or promoted. */
export const AB_STATUSES = ['none', 'testing', 'waiting', 'exploring', 'promoted'] as const

/** GET /campaigns/{id}/report. */
export const CampaignReport = z.object({
  campaignId: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  totals: VariantMetrics,
  variants: z.array(VariantMetrics),
  ab: z.object({
    mode: z.enum(['none', 'test-then-winner', 'bandit']),
    goal: z.enum(CAMPAIGN_GOALS),
    status: z.enum(AB_STATUSES),
    /** test-then-winner: recipients in the test slice, and handled so far. */
    testSliceSize: z.optional(z.number()),
    handled: z.optional(z.number()),
    /** test-then-winner, waiting: when the winner is chosen. */
    decideAt: z.optional(Timestamp),
    /** bandit, exploring: the variant sends lean to now. */
    leader: z.optional(z.string()),
  }),
  decision: z.optional(
    z.object({
      variantId: z.string(),
      method: z.string(),
      goal: z.enum(CAMPAIGN_GOALS),
      decidedAt: Timestamp,
      reason: z.optional(z.string()),
    }),
  ),
  /** Conversions count when they follow a click within this many days. */
  attributionWindowDays: z.number(),
})
export type CampaignReport = z.infer<typeof CampaignReport>

// ---------------------------------------------------------------------------------------------
// Journeys

/** One step of a journey. */
export const JourneyStep = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('wait'), minutes: z.int().check(z.minimum(1), z.maximum(525_600)) }),
  z.strictObject({ type: z.literal('send'), templateId: Id }),
  /** Continue only when the contact matches `rule` now; otherwise leave the journey (or skip the next step). */
  z.strictObject({
    type: z.literal('condition'),
    rule: SegmentRule,
    otherwise: z.optional(z.enum(['exit', 'skip-next'])),
  }),
])
export type JourneyStep = z.infer<typeof JourneyStep>

/**
 * What starts a journey: an event of the bus (source and detail-type), e.g. crm.contacts
 * Contact.Created, or crm.campaigns Contact.Inactive: no open, click or interaction for
 * `inactiveDays` (90 by default), checked daily.
 */
export const JourneyTrigger = z.strictObject({
  source: z.string().check(z.regex(/^crm\.[a-z-]+$/, 'Must be a crm.<service> source')),
  detailType: z.string().check(z.regex(/^[A-Z][A-Za-z]+\.[A-Z][A-Za-z]+$/, 'Must be <Entity>.<PastTense>')),
  inactiveDays: z.optional(z.int().check(z.minimum(7), z.maximum(3650))),
})

/** An event that ends a contact's run of a journey. */
export const JourneyExit = z.strictObject({
  source: JourneyTrigger.shape.source,
  detailType: JourneyTrigger.shape.detailType,
})

export const CreateJourney = z.strictObject({
  name: nameText(100),
  trigger: JourneyTrigger,
  steps: z.array(JourneyStep).check(z.minLength(1), z.maxLength(20)),
  /** Leave the journey as soon as one of these events arrives for the contact. */
  exitOn: z.optional(z.array(JourneyExit).check(z.maxLength(5))),
  allowReentry: z.optional(z.boolean()),
  status: z.optional(z.enum(['active', 'paused'])),
})
export type CreateJourney = z.infer<typeof CreateJourney>

/** PATCH /journeys/{id} body (If-Match): steps never change under contacts already on them. */
export const UpdateJourney = z.strictObject({
  name: z.optional(CreateJourney.shape.name),
  status: z.optional(z.enum(['active', 'paused'])),
  allowReentry: z.optional(z.boolean()),
})
export type UpdateJourney = z.infer<typeof UpdateJourney>

export const Journey = z.object({
  id: z.string(),
  name: z.string(),
  trigger: z.object({ source: z.string(), detailType: z.string(), inactiveDays: z.optional(z.number()) }),
  steps: z.array(z.looseObject({ type: z.string() })),
  exitOn: z.optional(z.array(z.object({ source: z.string(), detailType: z.string() }))),
  allowReentry: z.boolean(),
  status: z.enum(['active', 'paused']),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Journey = z.infer<typeof Journey>
export const JourneyPage = page(Journey)
export const JourneyIdParams = z.strictObject({ id: Id })

/** A contact's run of a journey. */
export const JourneyEnrolment = z.object({
  journeyId: z.string(),
  contactId: z.string(),
  status: z.enum(['active', 'completed', 'exited']),
  run: z.number(),
  step: z.number(),
  enrolledAt: Timestamp,
  endedAt: z.optional(Timestamp),
  exitReason: z.optional(z.string()),
  /** Emails this run sent (template ids, in order). */
  sent: z.array(z.string()),
})
export type JourneyEnrolment = z.infer<typeof JourneyEnrolment>
export const JourneyEnrolmentPage = page(JourneyEnrolment)
