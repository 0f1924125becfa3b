/**
 * Search by prefix, pure: folding, word splitting (Thai included), the tokens a contact is found by,
 * and the filters of GET /contacts checked on a contact.
 *
 * A token is a folded word of a name, a whole folded email address (so a prefix of the local part
 * finds it), or the digits of a phone (international and national forms). The store writes one item
 * per token, bucketed by its first {@link BUCKET_CHARS} characters.
 */
import type { Contact } from '@relay/contracts/contacts'
import { nationalNumberOf } from './phone.js'

/** Characters of a token's partition bucket; a query word must have at least this many. */
export const BUCKET_CHARS = 2
/** Tokens indexed per contact, at most (keeps a contact's write inside one transaction). */
export const MAX_TOKENS = 16
/** Longest token kept: longer words are indexed by their first characters. */
export const MAX_TOKEN_LENGTH = 40

// Combining diacritical marks of the Latin, Greek and Cyrillic scripts (and their supplements).
// Marks of other scripts (Thai vowels and tones, Arabic harakat, Devanagari signs) spell the word and stay.
const DIACRITICS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g

/**
 * The folded form for search and dedupe: NFKD (full width → ASCII, ligatures split), Latin-style
 * accents removed, recomposed, lower-cased, whitespace collapsed.
 *
 * @example
 * fold('Ｓíân') // 'sian'
 */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(DIACRITICS, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .trim()
    .replace(/\s+/gu, ' ')
}

let segmenter: Intl.Segmenter | undefined
// One segmenter: its dictionary (Thai, Lao, Khmer, Burmese, CJK) loads once per container.
const words = () => {
  segmenter ??= new Intl.Segmenter('th', { granularity: 'word' })
  return segmenter
}

/**
 * The folded words of a text. Thai and other scripts written without spaces are split with
 * `Intl.Segmenter` (dictionary-based word breaks); the split happens before folding so that the
 * segmenter sees the text as written.
 *
 * @example
 * tokenise('สมชาย ใจดี') // ['สมชาย', 'ใจดี']
 * tokenise('Siân O’Neil') // ['sian', "o'neil", 'o', 'neil']
 * tokenise('Siân O’Neil', false) // ['sian', "o'neil"]
 */
export function tokenise(text: string, withParts = true): string[] {
  const out: string[] = []
  for (const s of words().segment(text.normalize('NFC'))) {
    if (!s.isWordLike) continue
    const token = fold(s.segment)
    if (!token) continue
    out.push(token)
    if (!withParts) continue
    // O'Neil is one word to the segmenter; people also search for "neil".
    const parts = token.split(/['.]/).filter(Boolean)
    if (parts.length > 1) out.push(...parts)
  }
  return out
}

const digits = (s: string) => s.replace(/\D/g, '')

/** Search forms of a phone in E.164: `6621234567`, and the national `21234567` and `021234567`. */
function phoneTokens(e164: string): string[] {
  const national = nationalNumberOf(e164)
  return national ? [digits(e164), national, `0${national}`] : [digits(e164)]
}

/**
 * The distinct tokens a contact is found by, in priority order (names, emails, phones), at most
 * {@link MAX_TOKENS}, each at most {@link MAX_TOKEN_LENGTH} characters and at least 1.
 */
export function contactTokens(
  c: Pick<Contact, 'displayName' | 'emails' | 'phones'> & Partial<Pick<Contact, 'firstName' | 'lastName'>>,
): string[] {
  const candidates = [
    ...tokenise([c.firstName, c.lastName, c.displayName].filter(Boolean).join(' ')),
    ...c.emails.map((e) => fold(e.address)),
    ...c.phones.flatMap((p) => phoneTokens(p.number)),
  ]
  const seen = new Set<string>()
  for (const t of candidates) {
    const token = [...t].slice(0, MAX_TOKEN_LENGTH).join('')
    if (token && !seen.has(token)) seen.add(token)
    if (seen.size >= MAX_TOKENS) break
  }
  return [...seen]
}

/**
 * The words of a search: an email-like query is one token, a phone-like one its digits, anything
 * else its folded words. Each is a prefix to match.
 */
export function queryTokens(q: string): string[] {
  const text = q.trim()
  if (text.includes('@')) return [fold(text)]
  if (/^\+?[\d\s().-]+$/.test(text) && digits(text).length > 0) return [digits(text)]
  return tokenise(text).map((t) => [...t].slice(0, MAX_TOKEN_LENGTH).join(''))
}

// Characters that join the words of an address's local part (`somchai.jai`, `j_smith`, `ann+crm`).
const ADDRESS_JOINERS = /[._+\-']/

/**
 * The whole query as a prefix of an email address, when it could be one: one run without spaces
 * that joins words the way a local part does (`somchai.jai`). Word by word it would also have to
 * match the name, which fails when the name is in another script (สมชาย ใจดี); as one prefix it
 * matches the address as a whole. Undefined otherwise (an `@` query is one token already).
 *
 * @example
 * emailPrefixOf('somchai.jai') // 'somchai.jai'
 * emailPrefixOf('somchai jai') // undefined
 */
export function emailPrefixOf(q: string): string | undefined {
  const text = fold(q)
  if (!text || /\s|@/.test(text) || !ADDRESS_JOINERS.test(text)) return undefined
  return [...text].length >= BUCKET_CHARS ? [...text].slice(0, MAX_TOKEN_LENGTH).join('') : undefined
}

/** The bucket of a token (its first characters). */
export function bucketOf(token: string): string {
  return [...token].slice(0, BUCKET_CHARS).join('')
}

/**
 * The query token that drives the lookup: the longest (most selective). With an `emailPrefix`, the
 * longest token that is a prefix of it, so that the one range read holds both the contacts found
 * word by word and those whose address starts with the whole query.
 */
export function drivingToken(tokens: readonly string[], emailPrefix?: string): string | undefined {
  const longestFirst = [...tokens].sort((a, b) => b.length - a.length)
  if (emailPrefix === undefined) return longestFirst[0]
  return (
    longestFirst.find((t) => [...t].length >= BUCKET_CHARS && emailPrefix.startsWith(t)) ?? longestFirst[0]
  )
}

/**
 * True when every query token is a prefix of one of the contact's tokens, or, given an
 * `emailPrefix`, when one of its addresses starts with it.
 */
export function matchesQuery(
  contactTokenList: readonly string[],
  query: readonly string[],
  emailPrefix?: string,
): boolean {
  if (query.every((q) => contactTokenList.some((t) => t.startsWith(q)))) return true
  return (
    emailPrefix !== undefined && contactTokenList.some((t) => t.includes('@') && t.startsWith(emailPrefix))
  )
}

/** The filters of GET /contacts besides `q`. */
export interface ContactFilters {
  tag?: string | undefined
  owner?: string | undefined
  lifecycleStage?: string | undefined
  companyId?: string | undefined
  updatedSince?: string | undefined
}

/** True when the contact passes every given filter (tags compared folded). */
export function matchesFilters(c: Contact, f: ContactFilters): boolean {
  if (f.tag !== undefined && !c.tags.some((t) => fold(t) === fold(f.tag ?? ''))) return false
  if (f.owner !== undefined && c.ownerId !== f.owner) return false
  if (f.lifecycleStage !== undefined && c.lifecycleStage !== f.lifecycleStage) return false
  if (f.companyId !== undefined && !(c.companies ?? []).some((l) => l.companyId === f.companyId)) return false
  if (f.updatedSince !== undefined && Date.parse(c.updatedAt) < Date.parse(f.updatedSince)) return false
  return true
}
