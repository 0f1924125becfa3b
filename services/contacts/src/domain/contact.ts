/**
 * Contact rules, pure (no AWS, no I/O): text normalisation, building a contact from validated
 * input, applying a merge-patch, and the field-by-field diff that `Contact.Updated` carries.
 */
import type {
  Contact,
  ContactEmail,
  ContactMutableField,
  ContactPhone,
  CreateContact,
  UpdateContact,
} from '@relay/contracts/contacts'
import { CONTACT_MUTABLE_FIELDS } from '@relay/contracts/contacts'

/**
 * Text as stored: NFC (one form for text typed with combining marks or precomposed characters),
 * trimmed, whitespace runs collapsed. Idempotent. The contract already does this on input; the
 * domain repeats it so that no path around the contract stores unnormalised text.
 *
 * @example
 * normaliseText(' Gwy\u0302n ') // 'Gwŷn' (U+0175)
 */
export function normaliseText(text: string): string {
  return text.normalize('NFC').trim().replace(/\s+/gu, ' ')
}

/**
 * A folded form for search and dedupe: compatibility-decomposed (full-width → ASCII), Latin-style
 * accents removed, lower-cased. Only the generic combining diacritics (U+0300–U+036F) are removed:
 * Thai tone marks, Arabic harakat or Devanagari vowel signs are combining marks too, and removing
 * them would change the word, not its accent.
 *
 * @example
 * foldText('Ｓíân') // 'sian'
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .trim()
    .replace(/\s+/gu, ' ')
}

/** The name built from first and last name ('' when both are absent). */
export function displayNameOf(firstName?: string, lastName?: string): string {
  return [firstName, lastName].filter((p): p is string => Boolean(p)).join(' ')
}

type EmailInput = { address: string; label?: string | undefined; primary?: boolean | undefined }
type PhoneInput = { number: string; label?: string | undefined }

/** Emails as stored: lower-cased addresses, exactly one primary when there are any (the flagged one, else the first). */
export function normaliseEmails(emails: readonly EmailInput[] | undefined): ContactEmail[] {
  const list = emails ?? []
  const primaryIndex = Math.max(
    0,
    list.findIndex((e) => e.primary === true),
  )
  return list.map((e, i) => ({
    address: e.address.trim().toLowerCase(),
    ...(e.label ? { label: normaliseText(e.label) } : {}),
    primary: i === primaryIndex,
  }))
}

/** Phones as stored: trimmed numbers, normalised labels. */
export function normalisePhones(phones: readonly PhoneInput[] | undefined): ContactPhone[] {
  return (phones ?? []).map((p) => ({
    number: p.number.trim(),
    ...(p.label ? { label: normaliseText(p.label) } : {}),
  }))
}

/** Tags as stored: normalised, first spelling of each (case-insensitive) tag kept, order kept. */
export function normaliseTags(tags: readonly string[] | undefined): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of tags ?? []) {
    const tag = normaliseText(raw)
    const key = tag.toLowerCase()
    if (!tag || seen.has(key)) continue
    seen.add(key)
    out.push(tag)
  }
  return out
}

const optionalText = (value: string | null | undefined): string | undefined =>
  value ? normaliseText(value) || undefined : undefined

/**
 * A new contact (version 1) from validated input. The owner defaults to the caller.
 *
 * @example
 * const c = buildContact({ firstName: 'Ann' }, { id: newId(), ownerId: caller.userId, now: nowIso() })
 */
export function buildContact(
  input: CreateContact,
  ctx: { id: string; ownerId: string; now: string },
): Contact {
  const firstName = optionalText(input.firstName)
  const lastName = optionalText(input.lastName)
  const companyName = optionalText(input.companyName)
  return {
    id: ctx.id,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    displayName: optionalText(input.displayName) ?? displayNameOf(firstName, lastName),
    emails: normaliseEmails(input.emails),
    phones: normalisePhones(input.phones),
    ...(companyName ? { companyName } : {}),
    tags: normaliseTags(input.tags),
    ownerId: input.ownerId?.trim() || ctx.ownerId,
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }
}

/**
 * The contact after a merge-patch: absent fields unchanged, `null` clears, arrays replace.
 * `displayName` follows first and last name while it still equals the name built from them (it
 * was never set by hand); `displayName: null` goes back to following them. The version is bumped
 * and `updatedAt` set; whether anything changed is {@link diffContacts}' business.
 */
export function applyPatch(current: Contact, patch: UpdateContact, now: string): Contact {
  const pick = (key: 'firstName' | 'lastName' | 'companyName'): string | undefined =>
    patch[key] === undefined ? current[key] : optionalText(patch[key])
  const firstName = pick('firstName')
  const lastName = pick('lastName')
  const companyName = pick('companyName')
  const followsNames = current.displayName === displayNameOf(current.firstName, current.lastName)
  const displayName =
    patch.displayName === undefined
      ? followsNames
        ? displayNameOf(firstName, lastName)
        : current.displayName
      : (optionalText(patch.displayName) ?? displayNameOf(firstName, lastName))

  return {
    id: current.id,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    displayName,
    emails: patch.emails === undefined ? current.emails : normaliseEmails(patch.emails),
    phones: patch.phones === undefined ? current.phones : normalisePhones(patch.phones),
    ...(companyName ? { companyName } : {}),
    tags: patch.tags === undefined ? current.tags : normaliseTags(patch.tags),
    ownerId: patch.ownerId?.trim() || current.ownerId,
    version: current.version + 1,
    createdAt: current.createdAt,
    updatedAt: now,
  }
}

/** A field's value before and after; a side is absent when the field had no value. */
export interface FieldChange {
  before?: unknown
  after?: unknown
}
export type ContactChanges = Partial<Record<ContactMutableField, FieldChange>>

// Values are JSON data built by this module in a fixed key order, so their JSON is a faithful equality.
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * What changed between two versions of a contact, field by field (client-changeable fields only:
 * not id, version or timestamps). Empty when nothing changed.
 *
 * @example
 * diffContacts(a, b) // { companyName: { before: 'Acme', after: 'Acme Ltd' } }
 */
export function diffContacts(before: Contact, after: Contact): ContactChanges {
  const changes: ContactChanges = {}
  for (const field of CONTACT_MUTABLE_FIELDS) {
    const b = before[field]
    const a = after[field]
    if (same(b, a)) continue
    changes[field] = { ...(b !== undefined ? { before: b } : {}), ...(a !== undefined ? { after: a } : {}) }
  }
  return changes
}

/** A rule broken by a contact as a whole (the contract checks single fields). */
export interface ContactProblem {
  field: string
  message: string
  code: string
}

/** Rules a contact must keep after any change: it has a name. */
export function contactProblems(contact: Contact): ContactProblem[] {
  if (!contact.displayName) {
    return [
      {
        field: 'displayName',
        code: 'name_required',
        message: 'A contact needs at least one of firstName, lastName or displayName',
      },
    ]
  }
  return []
}
