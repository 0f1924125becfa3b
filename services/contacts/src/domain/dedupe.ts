/**
 * Likely duplicates, pure: the blocking keys a contact is filed under, and the score of a pair.
 *
 * Comparing every pair of a tenant's contacts is quadratic, so each contact is filed under a few
 * blocking keys (its phones; its name's "family + initial" at each company it belongs to) and only
 * contacts sharing a key are scored. The score then decides (threshold {@link DUPLICATE_THRESHOLD}):
 *
 * | evidence | weight |
 * | --- | --- |
 * | same phone (E.164) | 0.9: a shared switchboard or family phone is not proof |
 * | similar name at the same company | name similarity × 0.95 when similarity ≥ 0.8 |
 *
 * Independent evidence combines as 1 − Π(1 − wᵢ): a shared phone and a similar name at the same
 * company give ≥ 0.99. A same name without a shared company or phone is not evidence (two John
 * Smiths at different firms are two people). Email needs no key: two contacts can never share one.
 * Names whose initials differ (Katherine / Catherine) block apart: they meet only through a phone.
 */
import type { Contact } from '@relay/contracts/contacts'
import { distance } from 'fastest-levenshtein'
import { fold, tokenise } from './search.js'

/** Blocking keys per contact, at most (its write, old and new keys, stays inside one transaction). */
export const MAX_MATCH_KEYS = 5
/** Pairs scoring at least this are listed as likely duplicates. */
export const DUPLICATE_THRESHOLD = 0.8
/** Names at least this similar (0..1) count as "similar". */
export const NAME_SIMILARITY = 0.8

const PHONE_WEIGHT = 0.9
const NAME_COMPANY_WEIGHT = 0.95
const MAX_COMPANY_KEYS = 2

export type DuplicateReason = 'phone' | 'name_company'

export interface DuplicateScore {
  /** 0..1, two decimals. */
  score: number
  reasons: DuplicateReason[]
}

type Dedupable = Pick<Contact, 'displayName' | 'phones'> &
  Partial<Pick<Contact, 'firstName' | 'lastName' | 'companies' | 'companyName'>>

/** The folded words of a contact's name (Thai and CJK split by the segmenter, apostrophes kept). */
function nameWords(c: Dedupable): string[] {
  const given = [c.firstName, c.lastName].filter(Boolean).join(' ')
  return tokenise(given || c.displayName, false)
}

/**
 * The blocking form of a name: the family (last) word and the first word's initial, so that
 * "Jon Smith", "John Smith" and "J. Smith" meet; one-word names (and names in scripts written
 * without spaces that the segmenter keeps whole) block on the whole word.
 */
export function nameBlock(c: Dedupable): string | undefined {
  const words = nameWords(c)
  const last = words[words.length - 1]
  if (!last) return undefined
  if (words.length === 1) return [...last].length >= 2 ? last : undefined
  return `${[...(words[0] ?? '')][0]} ${last}`
}

/** The companies a contact is at, as comparable references: linked ids, else the folded name typed. */
export function companyRefs(c: Dedupable): string[] {
  const refs = (c.companies ?? []).map((l) => `id:${l.companyId}`)
  const named = c.companyName ? fold(c.companyName) : ''
  if (named) refs.push(`name:${named}`)
  return refs.slice(0, MAX_COMPANY_KEYS)
}

/** The blocking keys of a contact: `name:<company ref>:<name block>` (first two companies), then `phone:<E.164>`. */
export function matchKeys(c: Dedupable): string[] {
  const block = nameBlock(c)
  const keys = [
    ...(block ? companyRefs(c).map((ref) => `name:${ref}:${block}`) : []),
    ...c.phones.map((p) => `phone:${p.number}`),
  ]
  return [...new Set(keys)].slice(0, MAX_MATCH_KEYS)
}

const similarity = (a: string, b: string) =>
  a === b ? 1 : 1 - distance(a, b) / Math.max([...a].length, [...b].length, 1)

/**
 * How alike two names are, 0..1: the best of the edit similarity of the folded names as written,
 * of their words in sorted order ("Smith John"), and 0.9 for an initial standing for a first name
 * with the same family word ("J. Smith" ~ "John Smith").
 */
export function nameSimilarity(a: Dedupable, b: Dedupable): number {
  const wa = nameWords(a)
  const wb = nameWords(b)
  if (!wa.length || !wb.length) return 0
  const asWritten = similarity(wa.join(' '), wb.join(' '))
  const sorted = similarity([...wa].sort().join(' '), [...wb].sort().join(' '))
  const [fa, fb] = [wa[0] ?? '', wb[0] ?? '']
  const initial =
    wa.length > 1 &&
    wb.length > 1 &&
    wa[wa.length - 1] === wb[wb.length - 1] &&
    (fa.length === 1 || fb.length === 1) &&
    fa[0] === fb[0]
      ? 0.9
      : 0
  return Math.max(asWritten, sorted, initial)
}

/** The evidence that two contacts are one person, scored as the table at the top says. */
export function duplicateScore(a: Dedupable, b: Dedupable): DuplicateScore {
  const evidence: [DuplicateReason, number][] = []
  const phones = new Set(a.phones.map((p) => p.number))
  if (b.phones.some((p) => phones.has(p.number))) evidence.push(['phone', PHONE_WEIGHT])
  const companies = new Set(companyRefs(a))
  if (companyRefs(b).some((r) => companies.has(r))) {
    const name = nameSimilarity(a, b)
    if (name >= NAME_SIMILARITY) evidence.push(['name_company', name * NAME_COMPANY_WEIGHT])
  }
  const score = 1 - evidence.reduce((rest, [, w]) => rest * (1 - w), 1)
  return { score: Math.round(score * 100) / 100, reasons: evidence.map(([r]) => r) }
}

/** True when the pair should be listed (and offered for merging). */
export function isLikelyDuplicate(s: DuplicateScore): boolean {
  return s.reasons.length > 0 && s.score >= DUPLICATE_THRESHOLD
}
