/**
 * Contacts API and events, version 1. Additive changes only within a version: a new optional
 * field is fine, renaming or tightening one needs a v2 beside this file.
 */
import * as z from 'zod/mini'
import { EmailAddress, Id, nameText, PaginationQuery, page, Timestamp } from './common.js'

/** Limits of a contact's fields, written down once for the schemas, the docs and the tests. */
export const CONTACT_LIMITS = {
  name: 100,
  displayName: 200,
  companyName: 200,
  label: 40,
  emails: 10,
  phones: 10,
  tags: 50,
  tag: 50,
  ownerId: 128,
  phone: 32,
  addresses: 5,
  addressLine: 200,
  jobTitle: 100,
  source: 100,
  companies: 10,
  customFields: 50,
  customText: 2000,
} as const

/** Lifecycle of a contact, in the order a relationship usually moves; `churned` leaves it. */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'qualified',
  'opportunity',
  'customer',
  'evangelist',
  'churned',
] as const
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number]

/** Tier: A past/repeat buyers, B subscribers, C web/walk-in and everyone else. */
export const TIERS = ['A', 'B', 'C'] as const
export type Tier = (typeof TIERS)[number]

/** Where a contact came in through. */
export const CONTACT_CHANNELS = [
  'web',
  'walk_in',
  'phone',
  'email',
  'social',
  'referral',
  'event',
  'import',
  'other',
] as const

/** Consent channels and what can be recorded for each (GDPR Art. 6 legal bases). */
export const CONSENT_CHANNELS = ['email', 'sms', 'phone'] as const
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number]
export const CONSENT_STATUSES = ['granted', 'denied', 'withdrawn'] as const
export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const

/** EventBridge source of every contacts event. */
export const CONTACTS_SOURCE = 'crm.contacts'

/** `detail-type`s the contacts service publishes. */
export const CONTACT_EVENT = {
  created: 'Contact.Created',
  updated: 'Contact.Updated',
  deleted: 'Contact.Deleted',
  consentChanged: 'Contact.ConsentChanged',
  merged: 'Contact.Merged',
  erased: 'Contact.Erased',
} as const

// Digits with the usual separators, an optional leading +, and an optional extension.
const PHONE = /^\+?[0-9][0-9 ().-]*[0-9)](?: ?(?:x|ext\.?) ?[0-9]{1,6})?$/i

const Label = nameText(CONTACT_LIMITS.label)

const EmailInput = z.strictObject({
  address: EmailAddress,
  label: z.optional(Label),
  primary: z.optional(z.boolean()),
})

const PhoneInput = z.strictObject({
  number: z
    .string()
    .check(
      z.trim(),
      z.minLength(3),
      z.maxLength(CONTACT_LIMITS.phone),
      z.regex(PHONE, 'Must be a phone number such as +44 20 7946 0958'),
    ),
  label: z.optional(Label),
})

const isArray = (v: unknown): v is unknown[] => Array.isArray(v)

const Emails = z.array(EmailInput).check(
  z.maxLength(CONTACT_LIMITS.emails),
  z.refine((list) => !isArray(list) || list.filter((e) => e?.primary === true).length <= 1, {
    message: 'At most one email can be primary',
  }),
  z.refine((list) => !isArray(list) || new Set(list.map((e) => e?.address)).size === list.length, {
    message: 'Email addresses must be unique',
  }),
)

const Phones = z.array(PhoneInput).check(z.maxLength(CONTACT_LIMITS.phones))

/** ISO 3166-1 alpha-2 region, e.g. `TH`, `GB` (upper-cased). */
export const RegionCode = z
  .string()
  .check(z.trim(), z.toUpperCase(), z.regex(/^[A-Z]{2}$/, 'Must be a 2-letter region code'))

const AddressLine = nameText(CONTACT_LIMITS.addressLine)
const AddressInput = z.strictObject({
  label: z.optional(Label),
  line1: z.optional(AddressLine),
  line2: z.optional(AddressLine),
  city: z.optional(AddressLine),
  region: z.optional(AddressLine),
  postalCode: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(20))),
  country: z.optional(RegionCode),
})
const Addresses = z.array(AddressInput).check(z.maxLength(CONTACT_LIMITS.addresses))

const CompanyLinkInput = z.strictObject({
  companyId: Id,
  role: z.optional(nameText(CONTACT_LIMITS.jobTitle)),
})
const CompanyLinks = z.array(CompanyLinkInput).check(
  z.maxLength(CONTACT_LIMITS.companies),
  z.refine((list) => !isArray(list) || new Set(list.map((c) => c?.companyId)).size === list.length, {
    message: 'A company can be linked once',
  }),
)

/** Custom field keys: lower camel/snake case, as `/settings/contact-fields` defines them. */
export const CustomFieldKey = z
  .string()
  .check(z.regex(/^[a-z][a-zA-Z0-9_]{0,39}$/, 'Must be a field key such as vatNumber'))
const CustomValue = z.union([
  z.string().check(z.maxLength(CONTACT_LIMITS.customText)),
  z.number(),
  z.boolean(),
  z.array(z.string().check(z.maxLength(200))).check(z.maxLength(50)),
])
/** Values are checked against the tenant's field definitions by the service (400 naming `customFields.<key>`). */
const CustomFields = z.record(CustomFieldKey, CustomValue).check(
  z.refine((v) => !v || typeof v !== 'object' || Object.keys(v).length <= CONTACT_LIMITS.customFields, {
    message: `At most ${CONTACT_LIMITS.customFields} custom fields`,
  }),
)
const CustomFieldsPatch = z.record(CustomFieldKey, z.nullable(CustomValue))

const Lifecycle = z.enum(LIFECYCLE_STAGES)
const TierInput = z.enum(TIERS)
const Channel = z.enum(CONTACT_CHANNELS)
const Source = nameText(CONTACT_LIMITS.source)

const Tags = z.array(nameText(CONTACT_LIMITS.tag)).check(
  z.maxLength(CONTACT_LIMITS.tags),
  // 'VIP' and 'vip' are the same tag to a person filtering by it.
  z.refine(
    (list) => !isArray(list) || new Set(list.map((t) => String(t).toLowerCase())).size === list.length,
    { message: 'Tags must be unique (ignoring case)' },
  ),
)

const OwnerId = z.string().check(z.trim(), z.minLength(1), z.maxLength(CONTACT_LIMITS.ownerId))

const hasName = (v: { firstName?: unknown; lastName?: unknown; displayName?: unknown }) =>
  Boolean(v?.firstName || v?.lastName || v?.displayName)

/**
 * POST /contacts body. Unknown fields are rejected. At least one of `firstName`, `lastName`,
 * `displayName`. `ownerId` defaults to the caller.
 */
export const CreateContact = z
  .strictObject({
    firstName: z.optional(nameText(CONTACT_LIMITS.name)),
    lastName: z.optional(nameText(CONTACT_LIMITS.name)),
    displayName: z.optional(nameText(CONTACT_LIMITS.displayName)),
    emails: z.optional(Emails),
    phones: z.optional(Phones),
    companyName: z.optional(nameText(CONTACT_LIMITS.companyName)),
    tags: z.optional(Tags),
    ownerId: z.optional(OwnerId),
    addresses: z.optional(Addresses),
    jobTitle: z.optional(nameText(CONTACT_LIMITS.jobTitle)),
    source: z.optional(Source),
    channel: z.optional(Channel),
    lifecycleStage: z.optional(Lifecycle),
    /** Overrides the computed tier. */
    tier: z.optional(TierInput),
    companies: z.optional(CompanyLinks),
    customFields: z.optional(CustomFields),
    /** Region for phone numbers written without `+<country code>`; else the tenant's setting. Not stored. */
    defaultRegion: z.optional(RegionCode),
  })
  .check(
    z.refine(hasName, {
      message: 'Give at least one of firstName, lastName or displayName',
      path: ['firstName'],
    }),
  )
export type CreateContact = z.infer<typeof CreateContact>

/**
 * PATCH /contacts/{id} body (merge-patch): an absent field is unchanged, `null` clears an optional
 * text field, an array replaces the whole list. Unknown fields are rejected; an empty patch is a 400.
 */
export const UpdateContact = z
  .strictObject({
    firstName: z.optional(z.nullable(nameText(CONTACT_LIMITS.name))),
    lastName: z.optional(z.nullable(nameText(CONTACT_LIMITS.name))),
    displayName: z.optional(z.nullable(nameText(CONTACT_LIMITS.displayName))),
    emails: z.optional(Emails),
    phones: z.optional(Phones),
    companyName: z.optional(z.nullable(nameText(CONTACT_LIMITS.companyName))),
    tags: z.optional(Tags),
    ownerId: z.optional(OwnerId),
    addresses: z.optional(Addresses),
    jobTitle: z.optional(z.nullable(nameText(CONTACT_LIMITS.jobTitle))),
    source: z.optional(z.nullable(Source)),
    channel: z.optional(z.nullable(Channel)),
    lifecycleStage: z.optional(Lifecycle),
    /** A tier overrides the computed one; `null` goes back to the computed tier. */
    tier: z.optional(z.nullable(TierInput)),
    companies: z.optional(CompanyLinks),
    /** Merge-patch of the custom fields: `null` removes a key. */
    customFields: z.optional(CustomFieldsPatch),
    defaultRegion: z.optional(RegionCode),
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateContact = z.infer<typeof UpdateContact>

/**
 * GET /contacts query: newest first. `q` matches prefixes of names, emails and phones, ignoring
 * case, accents and width (Thai is split into words); the other filters must all hold.
 */
export const ListContactsQuery = z.strictObject({
  ...PaginationQuery.shape,
  q: z.optional(z.string().check(z.trim(), z.minLength(2), z.maxLength(100))),
  tag: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(CONTACT_LIMITS.tag))),
  owner: z.optional(OwnerId),
  lifecycleStage: z.optional(Lifecycle),
  companyId: z.optional(Id),
  updatedSince: z.optional(z.iso.datetime()),
  /** `-createdAt` (default, newest first) or `createdAt`. With `q` the order is by matched word. */
  sort: z.optional(z.enum(['-createdAt', 'createdAt'])),
})
export type ListContactsQuery = z.infer<typeof ListContactsQuery>

/** At most this many contacts per GET /contacts/export answer (`x-next-cursor` continues). */
export const EXPORT_LIMITS = { rows: 10_000, bytes: 4_500_000 } as const

/**
 * GET /contacts/export query: the filters of GET /contacts, `format` (`csv`, the default, or `jsonl`)
 * and `cursor` (from a previous answer's `x-next-cursor`).
 */
export const ExportContactsQuery = z.strictObject({
  cursor: PaginationQuery.shape.cursor,
  q: ListContactsQuery.shape.q,
  tag: ListContactsQuery.shape.tag,
  owner: ListContactsQuery.shape.owner,
  lifecycleStage: ListContactsQuery.shape.lifecycleStage,
  companyId: ListContactsQuery.shape.companyId,
  updatedSince: ListContactsQuery.shape.updatedSince,
  sort: ListContactsQuery.shape.sort,
  format: z.optional(z.enum(['csv', 'jsonl'])),
})
export type ExportContactsQuery = z.infer<typeof ExportContactsQuery>

/** Path parameters of /contacts/{id}. */
export const ContactIdParams = z.strictObject({ id: Id })
export type ContactIdParams = z.infer<typeof ContactIdParams>

/** One email of a contact as the API returns it: exactly one is primary when there are any. */
export const ContactEmail = z.object({
  address: z.string(),
  label: z.optional(z.string()),
  primary: z.boolean(),
})
export type ContactEmail = z.infer<typeof ContactEmail>

/** A phone as stored: `number` in E.164 (`+66212345678`), the extension apart. */
export const ContactPhone = z.object({
  number: z.string(),
  extension: z.optional(z.string()),
  label: z.optional(z.string()),
})
export type ContactPhone = z.infer<typeof ContactPhone>

/** A contact as the API returns it (and as `Contact.Created` carries it). */
export const Contact = z.object({
  id: z.string(),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  /** Given, or built from first and last name (and kept in step with them until it is set by hand). */
  displayName: z.string(),
  emails: z.array(ContactEmail),
  phones: z.array(ContactPhone),
  companyName: z.optional(z.string()),
  tags: z.array(z.string()),
  ownerId: z.string(),
  addresses: z.optional(z.array(z.looseObject({}))),
  jobTitle: z.optional(z.string()),
  source: z.optional(z.string()),
  channel: z.optional(z.string()),
  lifecycleStage: z.optional(z.enum(LIFECYCLE_STAGES)),
  /** The tier in force: `tierOverride` when set, else computed from purchases and lifecycle. */
  tier: z.optional(z.enum(TIERS)),
  tierOverride: z.optional(z.enum(TIERS)),
  purchaseCount: z.optional(z.number()),
  lastPurchaseAt: z.optional(z.string()),
  companies: z.optional(z.array(z.object({ companyId: z.string(), role: z.optional(z.string()) }))),
  customFields: z.optional(z.record(z.string(), z.unknown())),
  /** Per channel: the last consent recorded. */
  consent: z.optional(z.record(z.string(), z.looseObject({}))),
  /** Optimistic-concurrency version; the ETag is `"<version>"`. */
  version: z.number(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type Contact = z.infer<typeof Contact>

/** GET /contacts response. */
export const ContactPage = page(Contact)

/** Fields of a contact a client can change, i.e. the keys `Contact.Updated` may name. */
export const CONTACT_MUTABLE_FIELDS = [
  'firstName',
  'lastName',
  'displayName',
  'emails',
  'phones',
  'companyName',
  'tags',
  'ownerId',
  'addresses',
  'jobTitle',
  'source',
  'channel',
  'lifecycleStage',
  'tier',
  'tierOverride',
  'purchaseCount',
  'companies',
  'customFields',
  'consent',
] as const
export type ContactMutableField = (typeof CONTACT_MUTABLE_FIELDS)[number]

/** `Contact.Created` v1 data: the new contact. */
export const ContactCreatedV1 = Contact
export type ContactCreatedV1 = z.infer<typeof ContactCreatedV1>

// A side is absent when the field had no value (JSON has no undefined).
const Change = z.object({ before: z.optional(z.unknown()), after: z.optional(z.unknown()) })

/**
 * `Contact.Updated` v1 data: what changed, each field with its value before and after (a field that
 * was cleared has `after` absent, one that was set for the first time has `before` absent). `version` is the contact's new version, so a consumer can
 * ignore an older update that arrives late.
 */
export const ContactUpdatedV1 = z.object({
  id: z.string(),
  version: z.number(),
  changes: z.record(z.string(), Change),
})
export type ContactUpdatedV1 = z.infer<typeof ContactUpdatedV1>

/**
 * `Contact.Deleted` v1 data; `version` is the last version the contact had; `mergedInto` names the
 * contact that absorbed it when a merge deleted it.
 */
export const ContactDeletedV1 = z.object({
  id: z.string(),
  version: z.optional(z.number()),
  mergedInto: z.optional(z.string()),
})
export type ContactDeletedV1 = z.infer<typeof ContactDeletedV1>

/** One consent record of a channel. */
export const ConsentRecord = z.object({
  status: z.enum(CONSENT_STATUSES),
  at: Timestamp,
  source: z.string(),
  legalBasis: z.enum(LEGAL_BASES),
})
export type ConsentRecord = z.infer<typeof ConsentRecord>

/** POST /contacts/{id}/consent body: records the consent of one channel. `at` defaults to now. */
export const RecordConsent = z.strictObject({
  channel: z.enum(CONSENT_CHANNELS),
  status: z.enum(CONSENT_STATUSES),
  source: nameText(CONTACT_LIMITS.source),
  legalBasis: z.enum(LEGAL_BASES),
  at: z.optional(Timestamp),
})
export type RecordConsent = z.infer<typeof RecordConsent>

/** `Contact.ConsentChanged` v1 data. */
export const ContactConsentChangedV1 = z.object({
  id: z.string(),
  version: z.number(),
  channel: z.enum(CONSENT_CHANNELS),
  before: z.optional(ConsentRecord),
  after: ConsentRecord,
})
export type ContactConsentChangedV1 = z.infer<typeof ContactConsentChangedV1>

/** Field types a tenant can define for its contacts. */
export const CONTACT_FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'select', 'multiselect'] as const

/** One custom field definition. `options` are required for select and multiselect. */
export const ContactFieldDef = z
  .strictObject({
    key: CustomFieldKey,
    label: nameText(100),
    type: z.enum(CONTACT_FIELD_TYPES),
    options: z.optional(z.array(nameText(100)).check(z.minLength(1), z.maxLength(100))),
    required: z.optional(z.boolean()),
  })
  .check(
    z.refine((d) => !(d?.type === 'select' || d?.type === 'multiselect') || Boolean(d.options?.length), {
      message: 'select and multiselect fields need options',
      path: ['options'],
    }),
  )
export type ContactFieldDef = z.infer<typeof ContactFieldDef>

/** PUT /settings/contact-fields body: the whole set of definitions (and the default phone region). */
export const PutContactFields = z.strictObject({
  fields: z.array(ContactFieldDef).check(
    z.maxLength(CONTACT_LIMITS.customFields),
    z.refine((list) => !isArray(list) || new Set(list.map((d) => d?.key)).size === list.length, {
      message: 'Field keys must be unique',
    }),
  ),
  /** Region for phone numbers written without `+<country code>` (e.g. `TH`). */
  defaultRegion: z.optional(RegionCode),
})
export type PutContactFields = z.infer<typeof PutContactFields>

/** GET /settings/contact-fields response. `version` 0 until the first PUT. */
export const ContactFields = z.object({
  fields: z.array(ContactFieldDef),
  defaultRegion: z.optional(z.string()),
  version: z.number(),
  updatedAt: z.optional(z.string()),
})
export type ContactFields = z.infer<typeof ContactFields>

/** Contacts one merge request may fold into its target. */
export const MERGE_LIMIT = 10

/**
 * POST /contacts/{id}/merge body: the contacts merged into `{id}` (and then deleted), in order;
 * `sourceId` is the shorthand for one.
 */
export const MergeContacts = z
  .strictObject({
    sourceIds: z.optional(
      z.array(Id).check(
        z.minLength(1),
        z.maxLength(MERGE_LIMIT),
        z.refine((ids) => !isArray(ids) || new Set(ids).size === ids.length, {
          message: 'A contact can be listed once',
        }),
      ),
    ),
    sourceId: z.optional(Id),
  })
  .check(
    z.refine((b) => (b.sourceIds === undefined) !== (b.sourceId === undefined), {
      message: 'Give sourceIds (or sourceId for one contact), not both',
      path: ['sourceIds'],
    }),
  )
export type MergeContacts = z.infer<typeof MergeContacts>

/** `Contact.Merged` v1 data: `id` absorbed `sourceId` (which is gone); `changes` as in `Contact.Updated`. */
export const ContactMergedV1 = z.object({
  id: z.string(),
  version: z.number(),
  sourceId: z.string(),
  changes: z.record(z.string(), Change),
})
export type ContactMergedV1 = z.infer<typeof ContactMergedV1>

/** `Contact.Erased` v1 data: the contact and its history were erased; projections must drop what they keep of it. */
export const ContactErasedV1 = z.object({ id: z.string(), version: z.number() })
export type ContactErasedV1 = z.infer<typeof ContactErasedV1>

/** DELETE /contacts/{id} query: `erase=true` also erases its timeline (right to erasure). */
export const DeleteContactQuery = z.strictObject({ erase: z.optional(z.enum(['true', 'false'])) })

/**
 * A likely duplicate pair: the two contacts, how likely they are one person (0..1) and the evidence:
 * `phone` (the same number), `name_company` (a similar name at the same company).
 */
export const DuplicatePair = z.object({
  contacts: z.array(Contact),
  score: z.number(),
  reasons: z.array(z.enum(['phone', 'name_company'])),
})
export const DuplicatePage = page(DuplicatePair)
