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
} as const

/** EventBridge source of every contacts event. */
export const CONTACTS_SOURCE = 'crm.contacts'

/** `detail-type`s the contacts service publishes. */
export const CONTACT_EVENT = {
  created: 'Contact.Created',
  updated: 'Contact.Updated',
  deleted: 'Contact.Deleted',
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
  })
  .check(
    z.refine((v) => v !== null && typeof v === 'object' && Object.keys(v).length > 0, {
      message: 'Give at least one field to change',
    }),
  )
export type UpdateContact = z.infer<typeof UpdateContact>

/** GET /contacts query: newest first. */
export const ListContactsQuery = PaginationQuery
export type ListContactsQuery = z.infer<typeof ListContactsQuery>

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

export const ContactPhone = z.object({ number: z.string(), label: z.optional(z.string()) })
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

/** `Contact.Deleted` v1 data; `version` is the last version the contact had. */
export const ContactDeletedV1 = z.object({ id: z.string(), version: z.optional(z.number()) })
export type ContactDeletedV1 = z.infer<typeof ContactDeletedV1>
