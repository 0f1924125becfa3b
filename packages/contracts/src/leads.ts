/** Leads API (leads, scoring rules, conversion), version 1. Additive changes only within a version. */
import * as z from 'zod/mini'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'
import { Money } from './money.js'
import { IsoDate, OwnerId } from './pipeline.js'

/** `detail-type`s of lead events (source `crm.pipeline`). */
export const LEAD_EVENT = {
  created: 'Lead.Created',
  updated: 'Lead.Updated',
  converted: 'Lead.Converted',
  deleted: 'Lead.Deleted',
  assigned: 'Lead.Assigned',
} as const

export const LEAD_SOURCES = ['web', 'referral', 'event', 'outbound', 'partner', 'ads', 'other'] as const
/** `converted` is reached only through POST /leads/{id}/convert. */
export const LEAD_STATUSES = ['new', 'working', 'qualified', 'unqualified', 'converted'] as const
const SETTABLE_STATUSES = ['new', 'working', 'qualified', 'unqualified'] as const

const Phone = z
  .string()
  .check(
    z.trim(),
    z.minLength(3),
    z.maxLength(32),
    z.regex(/^\+?[0-9][0-9 ().-]*[0-9)]$/, 'Must be a phone number'),
  )
const Country = z.string().check(z.regex(/^[A-Z]{2}$/, 'Must be an ISO 3166-1 alpha-2 code such as GB'))
const Employees = z.int().check(z.minimum(0), z.maximum(10_000_000))
const Territory = nameText(50)
const MAX_SUBMISSION_VALUE = 1000

const hasIdentity = (v: { lastName?: unknown; email?: unknown; companyName?: unknown }) =>
  Boolean(v?.lastName || v?.email || v?.companyName)

export const CreateLead = z
  .strictObject({
    firstName: z.optional(nameText(100)),
    lastName: z.optional(nameText(100)),
    email: z.optional(EmailAddress),
    phone: z.optional(Phone),
    companyName: z.optional(nameText(200)),
    title: z.optional(nameText(100)),
    country: z.optional(Country),
    employees: z.optional(Employees),
    territory: z.optional(Territory),
    source: z.enum(LEAD_SOURCES),
    campaign: z.optional(nameText(100)),
    status: z.optional(z.enum(SETTABLE_STATUSES)),
    ownerId: z.optional(OwnerId),
  })
  .check(
    z.refine(hasIdentity, {
      message: 'Give at least one of lastName, email or companyName',
      path: ['lastName'],
    }),
  )
export type CreateLead = z.infer<typeof CreateLead>

export const UpdateLead = z
  .strictObject({
    firstName: z.optional(z.nullable(nameText(100))),
    lastName: z.optional(z.nullable(nameText(100))),
    email: z.optional(z.nullable(EmailAddress)),
    phone: z.optional(z.nullable(Phone)),
    companyName: z.optional(z.nullable(nameText(200))),
    title: z.optional(z.nullable(nameText(100))),
    country: z.optional(z.nullable(Country)),
    employees: z.optional(z.nullable(Employees)),
    territory: z.optional(z.nullable(Territory)),
    source: z.optional(z.enum(LEAD_SOURCES)),
    campaign: z.optional(z.nullable(nameText(100))),
    status: z.optional(z.enum(SETTABLE_STATUSES)),
    ownerId: z.optional(OwnerId),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateLead = z.infer<typeof UpdateLead>

export const Lead = z.object({
  id: z.string(),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  companyName: z.optional(z.string()),
  title: z.optional(z.string()),
  country: z.optional(z.string()),
  employees: z.optional(z.number()),
  territory: z.optional(z.string()),
  source: z.enum(LEAD_SOURCES),
  campaign: z.optional(z.string()),
  status: z.enum(LEAD_STATUSES),
  ownerId: z.string(),
  /** fitScore + engagementScore, clamped to 0..100. */
  score: z.number(),
  /** Fit from the tenant's rules (0..100), recomputed on every write. */
  fitScore: z.optional(z.number()),
  /** Points learned from interactions and campaign opens/clicks (events), 0..100. */
  engagementScore: z.optional(z.number()),
  /** The web form the lead came through, if any. */
  formId: z.optional(z.string()),
  conversion: z.optional(
    z.object({
      contactId: z.string(),
      dealId: z.optional(z.string()),
      convertedAt: Timestamp,
      convertedBy: z.string(),
    }),
  ),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Lead = z.infer<typeof Lead>
export const LeadPage = page(Lead)

export const ListLeadsQuery = z.extend(PaginationQuery, {
  status: z.optional(z.enum(LEAD_STATUSES)),
  owner: z.optional(OwnerId),
  source: z.optional(z.enum(LEAD_SOURCES)),
})
export type ListLeadsQuery = z.infer<typeof ListLeadsQuery>

/** POST /leads/{id}/convert. With `deal`, a deal is created in the same transaction. */
export const ConvertLead = z.strictObject({
  deal: z.optional(
    z.strictObject({
      name: z.optional(nameText(200)),
      pipelineId: z.optional(Id),
      amount: z.optional(Money),
      closeDate: z.optional(IsoDate),
    }),
  ),
})
export type ConvertLead = z.infer<typeof ConvertLead>

export const Conversion = z.object({
  leadId: z.string(),
  contactId: z.string(),
  dealId: z.optional(z.string()),
})

export const SCORABLE_FIELDS = [
  'source',
  'campaign',
  'title',
  'country',
  'employees',
  'email',
  'phone',
  'companyName',
  'status',
  'territory',
] as const
export const SCORING_OPERATORS = ['eq', 'neq', 'contains', 'gte', 'lte', 'exists'] as const

export const ScoringRule = z.strictObject({
  field: z.enum(SCORABLE_FIELDS),
  operator: z.enum(SCORING_OPERATORS),
  /** Compared case-insensitively for text; `gte`/`lte` need a number; `exists` needs none. */
  value: z.optional(z.union([z.string().check(z.maxLength(200)), z.number()])),
  points: z.int().check(z.minimum(-100), z.maximum(100)),
})
export type ScoringRule = z.infer<typeof ScoringRule>

export const LeadScoringInput = z.strictObject({ rules: z.array(ScoringRule).check(z.maxLength(50)) })
export type LeadScoringInput = z.infer<typeof LeadScoringInput>

export const LeadScoring = z.object({
  rules: z.array(ScoringRule),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type LeadScoring = z.infer<typeof LeadScoring>

/**
 * `Lead.Converted` v1: the contact id was chosen by the pipeline service, and `contact` carries
 * what the contacts service needs to create it from this event (idempotently, under that id).
 */
export const LeadConvertedV1 = z.object({
  leadId: z.string(),
  contactId: z.string(),
  dealId: z.optional(z.string()),
  contact: z.object({
    firstName: z.optional(z.string()),
    lastName: z.optional(z.string()),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
    companyName: z.optional(z.string()),
    title: z.optional(z.string()),
    /**
     * The lead's country (ISO 3166-1 alpha-2): the region a national phone number (`081 234 5678`)
     * is read in, so it is kept even when the tenant has no default phone region.
     */
    country: z.optional(z.string()),
    ownerId: z.string(),
  }),
  source: z.string(),
  campaign: z.optional(z.string()),
})
export type LeadConvertedV1 = z.infer<typeof LeadConvertedV1>

// ------------------------------------------------------------------------------------------------
// Web-to-lead forms

/** Lead fields a web form may fill. */
export const FORM_MAPPABLE_FIELDS = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'companyName',
  'title',
  'country',
  'employees',
  'territory',
] as const

/** A field name as a web form posts it. */
const FormFieldName = z
  .string()
  .check(z.regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'Must be a form field name (letters, digits, _ . -)'))

export const FormField = z.strictObject({
  /** The name the web form posts. */
  name: FormFieldName,
  /** The lead field it fills. */
  maps: z.enum(FORM_MAPPABLE_FIELDS),
  required: z.optional(z.boolean()),
})

export const FORM_LIMITS = { fields: 30, rateLimitPerMinute: 600, defaultRateLimitPerMinute: 30 } as const

export const CreateForm = z.strictObject({
  name: nameText(100),
  fields: z.array(FormField).check(z.minLength(1), z.maxLength(FORM_LIMITS.fields)),
  /** Lead source of its submissions (default `web`). */
  source: z.optional(z.enum(LEAD_SOURCES)),
  /** Campaign attribution of its submissions. */
  campaign: z.optional(nameText(100)),
  /** A field hidden from people: a submission that fills it is a bot (answered 202, nothing stored). */
  honeypotField: z.optional(FormFieldName),
  /** Owner of its leads when no assignment rule matches (default: the form's creator). */
  ownerId: z.optional(OwnerId),
  /** Accepted submissions per minute (fixed window), default 30. */
  rateLimitPerMinute: z.optional(z.int().check(z.minimum(1), z.maximum(FORM_LIMITS.rateLimitPerMinute))),
})
export type CreateForm = z.infer<typeof CreateForm>

export const Form = z.object({
  id: z.string(),
  name: z.string(),
  fields: z.array(FormField),
  source: z.enum(LEAD_SOURCES),
  campaign: z.optional(z.string()),
  honeypotField: z.optional(z.string()),
  ownerId: z.string(),
  rateLimitPerMinute: z.number(),
  /** Sent by the web page as header `x-form-key`; not a secret from visitors, a guard against other sites. */
  publicKey: z.string(),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Form = z.infer<typeof Form>
export const FormPage = page(Form)

export const FormParams = z.strictObject({ formId: Id })

/** What a web form posts: flat field → value (unknown fields are ignored, mapped ones validated). */
export const FormSubmission = z.record(
  z.string().check(z.maxLength(64)),
  z.union([z.string().check(z.maxLength(MAX_SUBMISSION_VALUE)), z.number(), z.boolean(), z.null()]),
)
export type FormSubmission = z.infer<typeof FormSubmission>

export const SubmissionAccepted = z.object({ status: z.literal('accepted'), leadId: z.string() })

// ------------------------------------------------------------------------------------------------
// Lead assignment

export const ASSIGNMENT_FIELDS = ['territory', 'country', 'source', 'campaign'] as const
export const ASSIGNMENT_STRATEGIES = ['round_robin', 'lowest_load'] as const

const TeamId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Must be a slug (a-z, 0-9, -)'))

export const AssignmentTeam = z.strictObject({
  id: TeamId,
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  members: z.array(OwnerId).check(z.minLength(1), z.maxLength(50)),
})
export type AssignmentTeam = z.infer<typeof AssignmentTeam>

export const AssignmentRule = z.strictObject({
  field: z.enum(ASSIGNMENT_FIELDS),
  /** Matches when the lead's field equals one of these (case- and accent-insensitive). */
  values: z.array(nameText(100)).check(z.minLength(1), z.maxLength(50)),
  team: TeamId,
})
export type AssignmentRule = z.infer<typeof AssignmentRule>

export const LeadAssignmentInput = z.strictObject({
  teams: z.array(AssignmentTeam).check(z.maxLength(20)),
  /** Ordered: the first matching rule picks the team. */
  rules: z.array(AssignmentRule).check(z.maxLength(50)),
  /** Team of leads no rule matches; none → the lead keeps its default owner. */
  defaultTeam: z.optional(TeamId),
})
export type LeadAssignmentInput = z.infer<typeof LeadAssignmentInput>

export const LeadAssignment = z.object({
  teams: z.array(AssignmentTeam),
  rules: z.array(AssignmentRule),
  defaultTeam: z.optional(z.string()),
  version: z.number(),
  updatedAt: z.optional(Timestamp),
})
export type LeadAssignment = z.infer<typeof LeadAssignment>

/** `Lead.Assigned` v1: which owner a new lead got, through which team, strategy and rule. */
export const LeadAssignedV1 = z.object({
  leadId: z.string(),
  ownerId: z.string(),
  teamId: z.string(),
  strategy: z.enum(ASSIGNMENT_STRATEGIES),
  /** Index of the matching rule; absent when the default team took it. */
  ruleIndex: z.optional(z.number()),
})
export type LeadAssignedV1 = z.infer<typeof LeadAssignedV1>
