/** Merging two contacts into one, pure. */
import type { Contact } from '@relay/contracts/contacts'
import { CONTACT_LIMITS, LIFECYCLE_STAGES } from '@relay/contracts/contacts'
import type { ContactProblem } from './contact.js'
import { withTier } from './contact.js'
import { fold } from './search.js'

const later = (a: string | undefined, b: string | undefined) => (!a ? b : !b ? a : a > b ? a : b)

function furtherStage(a: Contact['lifecycleStage'], b: Contact['lifecycleStage']): Contact['lifecycleStage'] {
  // churned is not "further" than customer: the target's own stage wins over a churned source.
  if (!b || b === 'churned') return a ?? b
  if (!a || a === 'churned') return a ?? b
  return LIFECYCLE_STAGES.indexOf(b) > LIFECYCLE_STAGES.indexOf(a) ? b : a
}

function unionBy<T>(a: readonly T[], b: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set(a.map(key))
  return [...a, ...b.filter((t) => !seen.has(key(t)))]
}

/**
 * `target` after absorbing `source`: the target's values win, the source fills what the target
 * lacks; lists are united (the target's primary email stays primary); purchases add up; consent
 * keeps the later record per channel; the further lifecycle stage wins. Version bumped.
 */
export function mergeContacts(target: Contact, source: Contact, now: string): Contact {
  const consent: Record<string, Record<string, unknown>> = { ...(source.consent ?? {}) }
  for (const [channel, record] of Object.entries(target.consent ?? {})) {
    const other = consent[channel] as { at?: string } | undefined
    if (!other || String((record as { at?: string }).at) >= String(other.at)) consent[channel] = record
  }
  const firstName = target.firstName ?? source.firstName
  const lastName = target.lastName ?? source.lastName
  const jobTitle = target.jobTitle ?? source.jobTitle
  const src = target.source ?? source.source
  const channel = target.channel ?? source.channel
  const tierOverride = target.tierOverride ?? source.tierOverride
  const lastPurchaseAt = later(target.lastPurchaseAt, source.lastPurchaseAt)
  const companyName = target.companyName ?? source.companyName
  return withTier({
    id: target.id,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    displayName: target.displayName,
    emails: unionBy(
      target.emails,
      source.emails.map((e) => ({ ...e, primary: false })),
      (e) => fold(e.address),
    ),
    phones: unionBy(target.phones, source.phones, (p) => p.number),
    ...(companyName ? { companyName } : {}),
    tags: unionBy(target.tags, source.tags, (t) => t.toLowerCase()),
    ownerId: target.ownerId,
    addresses: [...(target.addresses ?? []), ...(source.addresses ?? [])],
    ...(jobTitle ? { jobTitle } : {}),
    ...(src ? { source: src } : {}),
    ...(channel ? { channel } : {}),
    lifecycleStage: furtherStage(target.lifecycleStage, source.lifecycleStage) ?? 'lead',
    ...(tierOverride ? { tierOverride } : {}),
    purchaseCount: (target.purchaseCount ?? 0) + (source.purchaseCount ?? 0),
    ...(lastPurchaseAt ? { lastPurchaseAt } : {}),
    companies: unionBy(target.companies ?? [], source.companies ?? [], (l) => l.companyId),
    customFields: { ...(source.customFields ?? {}), ...(target.customFields ?? {}) },
    consent,
    version: target.version + 1,
    // The person has been known since the earlier of the two records.
    createdAt: [target.createdAt, source.createdAt].sort()[0] ?? target.createdAt,
    updatedAt: now,
  })
}

/** Limits a merged contact must keep (each list's contract limit), naming the list. */
export function mergeProblems(merged: Contact): ContactProblem[] {
  const limits = [
    ['emails', merged.emails.length, CONTACT_LIMITS.emails],
    ['phones', merged.phones.length, CONTACT_LIMITS.phones],
    ['tags', merged.tags.length, CONTACT_LIMITS.tags],
    ['addresses', merged.addresses?.length ?? 0, CONTACT_LIMITS.addresses],
    ['companies', merged.companies?.length ?? 0, CONTACT_LIMITS.companies],
  ] as const
  return limits
    .filter(([, n, max]) => n > max)
    .map(([field, , max]) => ({
      field,
      code: 'too_many_after_merge',
      message: `The merged contact would have more than ${max} ${field}`,
    }))
}
