/** Companies API and events, version 1 (additive changes only within a version). */
import * as z from 'zod/mini'
import { Id, nameText, PaginationQuery, page, Timestamp } from './common.js'

export const COMPANY_LIMITS = { name: 200, domain: 253, industry: 100, tags: 50, tag: 50 } as const

/** `detail-type`s of company events (source `crm.contacts`). */
export const COMPANY_EVENT = {
  created: 'Company.Created',
  updated: 'Company.Updated',
  deleted: 'Company.Deleted',
} as const

const Domain = z
  .string()
  .check(
    z.trim(),
    z.toLowerCase(),
    z.maxLength(COMPANY_LIMITS.domain),
    z.regex(
      /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      'Must be a domain such as example.com',
    ),
  )
const Tags = z.array(nameText(COMPANY_LIMITS.tag)).check(z.maxLength(COMPANY_LIMITS.tags))

/** POST /companies body. */
export const CreateCompany = z.strictObject({
  name: nameText(COMPANY_LIMITS.name),
  domain: z.optional(Domain),
  industry: z.optional(nameText(COMPANY_LIMITS.industry)),
  tags: z.optional(Tags),
  ownerId: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))),
})
export type CreateCompany = z.infer<typeof CreateCompany>

/** PATCH /companies/{id} body (merge-patch: `null` clears an optional field). */
export const UpdateCompany = z
  .strictObject({
    name: z.optional(nameText(COMPANY_LIMITS.name)),
    domain: z.optional(z.nullable(Domain)),
    industry: z.optional(z.nullable(nameText(COMPANY_LIMITS.industry))),
    tags: z.optional(Tags),
    ownerId: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(128))),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateCompany = z.infer<typeof UpdateCompany>

/** A company as the API returns it (and as `Company.Created` carries it). */
export const Company = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.optional(z.string()),
  industry: z.optional(z.string()),
  tags: z.array(z.string()),
  ownerId: z.string(),
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Company = z.infer<typeof Company>

export const CompanyPage = page(Company)
export const ListCompaniesQuery = PaginationQuery
export const CompanyIdParams = z.strictObject({ id: Id })

/** Fields a client can change, i.e. the keys `Company.Updated` may name. */
export const COMPANY_MUTABLE_FIELDS = ['name', 'domain', 'industry', 'tags', 'ownerId'] as const

export const CompanyCreatedV1 = Company
export const CompanyUpdatedV1 = z.object({
  id: z.string(),
  version: z.number(),
  changes: z.record(
    z.string(),
    z.object({ before: z.optional(z.unknown()), after: z.optional(z.unknown()) }),
  ),
})
export const CompanyDeletedV1 = z.object({ id: z.string(), version: z.number() })
