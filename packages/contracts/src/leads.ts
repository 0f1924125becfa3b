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
  source: z.enum(LEAD_SOURCES),
  campaign: z.optional(z.string()),
  status: z.enum(LEAD_STATUSES),
  ownerId: z.string(),
  /** Fit score from the tenant's rules, recomputed on every write. */
  score: z.number(),
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
    ownerId: z.string(),
  }),
  source: z.string(),
  campaign: z.optional(z.string()),
})
export type LeadConvertedV1 = z.infer<typeof LeadConvertedV1>
