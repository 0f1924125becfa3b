/**
 * Contact rules, pure (no AWS, no I/O): text normalisation, building a contact from validated
 * input, applying a merge-patch, and the field-by-field diff that `Contact.Updated` carries.
 */
import type {
  ConsentRecord,
  Contact,
  ContactEmail,
  ContactFieldDef,
  ContactMutableField,
  ContactPhone,
  CreateContact,
  RecordConsent,
  UpdateContact,
} from '@relay/contracts/contacts'
import { CONTACT_MUTABLE_FIELDS } from '@relay/contracts/contacts'
import { type CustomValue, customFieldProblems, patchCustomFields } from './custom-fields.js'
import { isRefusal, toE164 } from './phone.js'
import type { ContactProblem } from './problems.js'
import { fold } from './search.js'
import { computeTier } from './tier.js'

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
  return fold(text)
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

/**
 * Phones as stored: E.164 (read with `region` when written without a country code), extension
 * apart, labels normalised. A number that does not parse is kept trimmed: callers check
 * {@link phoneProblems} first.
 */
export function normalisePhones(phones: readonly PhoneInput[] | undefined, region?: string): ContactPhone[] {
  return (phones ?? []).map((p) => {
    const e164 = toE164(p.number, region)
    return {
      ...(isRefusal(e164) ? { number: p.number.trim() } : e164),
      ...(p.label ? { label: normaliseText(p.label) } : {}),
    }
  })
}

/** One problem per phone that is not a valid number (field `phones.<i>.number`). */
export function phoneProblems(phones: readonly PhoneInput[] | undefined, region?: string): ContactProblem[] {
  const out: ContactProblem[] = []
  ;(phones ?? []).forEach((p, i) => {
    const e164 = toE164(p.number, region)
    if (isRefusal(e164)) out.push({ field: `phones.${i}.number`, code: e164.code, message: e164.message })
  })
  return out
}

/** Emails that fold to the same address (e.g. full-width letters) count as one: field `emails`. */
export function emailProblems(emails: readonly EmailInput[] | undefined): ContactProblem[] {
  const folded = (emails ?? []).map((e) => fold(e.address))
  return new Set(folded).size === folded.length
    ? []
    : [{ field: 'emails', code: 'duplicate_email', message: 'Email addresses must be unique' }]
}

/** What a contact write needs to know of the tenant and request. */
export interface WriteContext {
  /** Default region for phones without a country code (the request's, else the tenant's). */
  region?: string | undefined
  /** The tenant's custom field definitions. */
  fieldDefs: readonly ContactFieldDef[]
}

/**
 * Problems of a create or patch body that only the service can see (phones need a region, custom
 * fields the tenant's definitions). Required custom fields are checked on create, and on a patch
 * that touches `customFields`.
 */
export function inputProblems(
  input: CreateContact | UpdateContact,
  ctx: WriteContext,
  current?: Contact,
): ContactProblem[] {
  const problems = [...phoneProblems(input.phones, ctx.region), ...emailProblems(input.emails)]
  if (current === undefined) {
    problems.push(
      ...customFieldProblems(ctx.fieldDefs, (input.customFields ?? {}) as Record<string, CustomValue>, true),
    )
  } else if (input.customFields !== undefined) {
    const merged = patchCustomFields(
      (current.customFields ?? {}) as Record<string, CustomValue>,
      input.customFields as Record<string, CustomValue | null>,
    )
    problems.push(...customFieldProblems(ctx.fieldDefs, merged, true))
  }
  return problems
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
  ctx: { id: string; ownerId: string; now: string; region?: string | undefined },
): Contact {
  const firstName = optionalText(input.firstName)
  const lastName = optionalText(input.lastName)
  const companyName = optionalText(input.companyName)
  const jobTitle = optionalText(input.jobTitle)
  const source = optionalText(input.source)
  const lifecycleStage = input.lifecycleStage ?? 'lead'
  return withTier({
    id: ctx.id,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    displayName: optionalText(input.displayName) ?? displayNameOf(firstName, lastName),
    emails: normaliseEmails(input.emails),
    phones: normalisePhones(input.phones, ctx.region),
    ...(companyName ? { companyName } : {}),
    tags: normaliseTags(input.tags),
    ownerId: input.ownerId?.trim() || ctx.ownerId,
    addresses: input.addresses ?? [],
    ...(jobTitle ? { jobTitle } : {}),
    ...(source ? { source } : {}),
    ...(input.channel ? { channel: input.channel } : {}),
    lifecycleStage,
    ...(input.tier ? { tierOverride: input.tier } : {}),
    purchaseCount: 0,
    companies: (input.companies ?? []).map(normaliseLink),
    customFields: input.customFields ?? {},
    consent: {},
    version: 1,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  })
}

const normaliseLink = (l: { companyId: string; role?: string | undefined }) => ({
  companyId: l.companyId,
  ...(l.role ? { role: normaliseText(l.role) } : {}),
})

/**
 * A contact stored before the fields of issue #3 existed, with their defaults (lead, no purchases,
 * empty lists): what was stored stays valid, and a no-op patch stays a no-op.
 */
export function withDefaults(c: Contact): Contact {
  return withTier({
    ...c,
    addresses: c.addresses ?? [],
    lifecycleStage: c.lifecycleStage ?? 'lead',
    purchaseCount: c.purchaseCount ?? 0,
    companies: c.companies ?? [],
    customFields: c.customFields ?? {},
    consent: c.consent ?? {},
  })
}

/** The contact with `tier` set from its override or from {@link computeTier}. */
export function withTier(c: Contact): Contact {
  const tier =
    c.tierOverride ??
    computeTier({
      purchaseCount: c.purchaseCount,
      lifecycleStage: c.lifecycleStage,
      emailConsent: (c.consent?.email as { status?: string } | undefined)?.status,
    })
  // tier sits after tierOverride so that stored and diffed JSON keeps one key order.
  const { tier: _old, ...rest } = c
  return { ...rest, tier }
}

/**
 * The contact after a merge-patch: absent fields unchanged, `null` clears, arrays replace.
 * `displayName` follows first and last name while it still equals the name built from them (it
 * was never set by hand); `displayName: null` goes back to following them. The version is bumped
 * and `updatedAt` set; whether anything changed is {@link diffContacts}' business.
 */
export function applyPatch(current: Contact, patch: UpdateContact, now: string, region?: string): Contact {
  type TextKey = 'firstName' | 'lastName' | 'companyName' | 'jobTitle' | 'source'
  const pick = (key: TextKey): string | undefined =>
    patch[key] === undefined ? current[key] : optionalText(patch[key])
  const firstName = pick('firstName')
  const lastName = pick('lastName')
  const companyName = pick('companyName')
  const jobTitle = pick('jobTitle')
  const source = pick('source')
  const channel = patch.channel === undefined ? current.channel : (patch.channel ?? undefined)
  const tierOverride = patch.tier === undefined ? current.tierOverride : (patch.tier ?? undefined)
  const followsNames = current.displayName === displayNameOf(current.firstName, current.lastName)
  const displayName =
    patch.displayName === undefined
      ? followsNames
        ? displayNameOf(firstName, lastName)
        : current.displayName
      : (optionalText(patch.displayName) ?? displayNameOf(firstName, lastName))

  return withTier({
    id: current.id,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    displayName,
    emails: patch.emails === undefined ? current.emails : normaliseEmails(patch.emails),
    phones: patch.phones === undefined ? current.phones : normalisePhones(patch.phones, region),
    ...(companyName ? { companyName } : {}),
    tags: patch.tags === undefined ? current.tags : normaliseTags(patch.tags),
    ownerId: patch.ownerId?.trim() || current.ownerId,
    addresses: patch.addresses ?? current.addresses ?? [],
    ...(jobTitle ? { jobTitle } : {}),
    ...(source ? { source } : {}),
    ...(channel ? { channel } : {}),
    lifecycleStage: patch.lifecycleStage ?? current.lifecycleStage ?? 'lead',
    ...(tierOverride ? { tierOverride } : {}),
    purchaseCount: current.purchaseCount ?? 0,
    ...(current.lastPurchaseAt ? { lastPurchaseAt: current.lastPurchaseAt } : {}),
    companies: patch.companies === undefined ? (current.companies ?? []) : patch.companies.map(normaliseLink),
    customFields:
      patch.customFields === undefined
        ? (current.customFields ?? {})
        : patchCustomFields(
            (current.customFields ?? {}) as Record<string, CustomValue>,
            patch.customFields as Record<string, CustomValue | null>,
          ),
    consent: current.consent ?? {},
    version: current.version + 1,
    createdAt: current.createdAt,
    updatedAt: now,
  })
}

/** The contact after a purchase at `at`: one more purchase, the latest purchase time, the tier again. */
export function applyPurchase(current: Contact, at: string, now: string): Contact {
  const last = current.lastPurchaseAt && current.lastPurchaseAt > at ? current.lastPurchaseAt : at
  return withTier({
    ...current,
    purchaseCount: (current.purchaseCount ?? 0) + 1,
    lastPurchaseAt: last,
    version: current.version + 1,
    updatedAt: now,
  })
}

/** The contact after recording one channel's consent, and the record it replaced. */
export function applyConsent(
  current: Contact,
  input: RecordConsent,
  now: string,
): { contact: Contact; before: ConsentRecord | undefined; after: ConsentRecord } {
  const after: ConsentRecord = {
    status: input.status,
    at: input.at ?? now,
    source: normaliseText(input.source),
    legalBasis: input.legalBasis,
  }
  const before = current.consent?.[input.channel] as ConsentRecord | undefined
  const contact = withTier({
    ...current,
    consent: { ...(current.consent ?? {}), [input.channel]: after },
    version: current.version + 1,
    updatedAt: now,
  })
  return { contact, before, after }
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
export type { ContactProblem } from './problems.js'

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
