/** Pure rules of issue #3: folding, Thai words, tokens, E.164, tiers, custom fields. */
import type { Contact } from '@relay/contracts/contacts'
import { CreateContact } from '@relay/contracts/contacts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyConsent,
  applyPatch,
  applyPurchase,
  buildContact,
  inputProblems,
  withDefaults,
} from '../src/domain/contact.js'
import { customFieldProblems, patchCustomFields } from '../src/domain/custom-fields.js'
import { toE164 } from '../src/domain/phone.js'
import {
  bucketOf,
  contactTokens,
  drivingToken,
  emailPrefixOf,
  fold,
  MAX_TOKENS,
  matchesFilters,
  matchesQuery,
  queryTokens,
  tokenise,
} from '../src/domain/search.js'
import { computeTier, effectiveTier } from '../src/domain/tier.js'

const NOW = '2025-01-01T00:00:00.000Z'
const ctx = { id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB', ownerId: 'user-1', now: NOW }
const make = (input: unknown, region?: string): Contact =>
  buildContact(CreateContact.parse(input), { ...ctx, region })

describe('fold', () => {
  it('folds case, accents and full width', () => {
    expect(fold('ＳÍÂN')).toBe('sian')
    expect(fold('Ｊｏｓé')).toBe('jose')
    expect(fold('Ångström')).toBe('angstrom')
  })

  it('keeps Thai vowels and tone marks, which spell the word', () => {
    expect(fold('ปู่')).toBe('ปู่'.normalize('NFC'))
  })

  it('folds composed and decomposed text alike, and is idempotent', () => {
    expect(fold('Gwy\u0302n')).toBe(fold('Gw\u0177n'))
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => fold(fold(s)) === fold(s)))
  })
})

describe('tokenise', () => {
  it('splits Thai written without spaces into words', () => {
    // Prepare: "สมชายใจดี" = สมชาย (Somchai) + ใจดี (kind)
    // Act
    const words = tokenise('สมชายใจดี')
    // Assess
    expect(words.length).toBeGreaterThan(1)
    expect(words.join('')).toBe('สมชายใจดี')
    expect(words[0]).toBe('สมชาย')
  })

  it('splits Latin names at spaces and punctuation, folded', () => {
    expect(tokenise('Siân O’Neil-Jones')).toEqual(['sian', "o'neil", 'o', 'neil', 'jones'])
  })
})

describe('contact tokens and queries', () => {
  const c = make(
    {
      firstName: 'José',
      lastName: 'Núñez',
      emails: [{ address: 'Jose.Nunez@Example.com' }],
      phones: [{ number: '02 123 4567' }],
    },
    'TH',
  )

  it('indexes folded name words, the email and the phone in international and national forms', () => {
    const tokens = contactTokens(c)
    expect(tokens).toEqual(
      expect.arrayContaining([
        'jose',
        'nunez',
        'jose.nunez@example.com',
        '6621234567',
        '21234567',
        '021234567',
      ]),
    )
    expect(tokens.length).toBeLessThanOrEqual(MAX_TOKENS)
  })

  it('matches prefixes of name, email and phone, ignoring case and accents', () => {
    const tokens = contactTokens(c)
    for (const q of ['JOS', 'nún', 'jose nu', 'jose.nu', 'JOSE.NUNEZ@EX', '+66 2 123', '021 23']) {
      expect(matchesQuery(tokens, queryTokens(q)), q).toBe(true)
    }
    for (const q of ['osé', 'maria', 'nunez@', '999']) {
      expect(matchesQuery(tokens, queryTokens(q)), q).toBe(false)
    }
  })

  it('matches a longer prefix of an email as the whole address, whatever the name (issue 8)', () => {
    const thai = make({
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      emails: [{ address: 'somchai.jaidee@example.co.th' }],
    })
    const tokens = contactTokens(thai)
    for (const q of ['somchai.jai', 'SOMCHAI.JAIDEE', 'somchai.jaidee@exa', 'somchai']) {
      const prefix = emailPrefixOf(q)
      expect(matchesQuery(tokens, queryTokens(q), prefix), q).toBe(true)
      // The range read must hold it: the driving token is a prefix of the address.
      expect('somchai.jaidee@example.co.th'.startsWith(drivingToken(queryTokens(q), prefix) ?? '?'), q).toBe(
        true,
      )
    }
    // Word by word still needs every word; a whole prefix only matches from the address's start.
    for (const q of ['somchai jai', 'chai.jaidee', 'somchai.jaidoo']) {
      expect(matchesQuery(tokens, queryTokens(q), emailPrefixOf(q)), q).toBe(false)
    }
    expect(emailPrefixOf('somchai jai')).toBeUndefined()
    expect(emailPrefixOf('somchai')).toBeUndefined()
    expect(emailPrefixOf('j_smith')).toBe('j_smith')
  })

  it('finds a Thai contact by the prefix of a word inside unspaced text', () => {
    const thai = make({ firstName: 'สมชายใจดี' })
    expect(matchesQuery(contactTokens(thai), queryTokens('ใจ'))).toBe(true)
    expect(matchesQuery(contactTokens(thai), queryTokens('สมชาย'))).toBe(true)
  })

  it('caps the tokens of a contact with many emails and phones', () => {
    const many = make(
      {
        firstName: 'Many',
        emails: Array.from({ length: 10 }, (_, i) => ({ address: `m${i}@x.io` })),
        phones: Array.from({ length: 10 }, (_, i) => ({ number: `+44 20 7946 09${10 + i}` })),
      },
      'GB',
    )
    expect(contactTokens(many)).toHaveLength(MAX_TOKENS)
  })

  it('buckets by the first two characters (code points, not UTF-16 units)', () => {
    expect(bucketOf('jose')).toBe('jo')
    expect(bucketOf('𝒜bc')).toBe('𝒜b')
  })
})

describe('toE164', () => {
  it('normalises with the region when there is no country code', () => {
    expect(toE164('02 123 4567', 'TH')).toEqual({ number: '+6621234567' })
    expect(toE164('029 2018 0000', 'GB')).toEqual({ number: '+442920180000' })
  })

  it('keeps the extension apart and ignores the region for +numbers', () => {
    expect(toE164('+44 29 2018 0000 ext. 12', 'TH')).toEqual({ number: '+442920180000', extension: '12' })
  })

  it('refuses an invalid number, a national number without region, and an unknown region', () => {
    expect(toE164('+44 1', undefined)).toMatchObject({ code: 'invalid_phone' })
    expect(toE164('02 123 4567')).toMatchObject({ code: 'region_required' })
    expect(toE164('02 123 4567', 'ZZ')).toMatchObject({ code: 'invalid_region' })
  })

  it('names the bad phone field in contact input problems', () => {
    const input = CreateContact.parse({
      firstName: 'A',
      phones: [{ number: '+66 2 123 4567' }, { number: '12345' }],
    })
    expect(inputProblems(input, { region: 'TH', fieldDefs: [] }).map((p) => p.field)).toEqual([
      'phones.1.number',
    ])
  })
})

describe('tier', () => {
  it('A for buyers and customers, B for subscribers, C otherwise', () => {
    expect(computeTier({ purchaseCount: 1 })).toBe('A')
    expect(computeTier({ lifecycleStage: 'evangelist' })).toBe('A')
    expect(computeTier({ lifecycleStage: 'subscriber' })).toBe('B')
    expect(computeTier({ lifecycleStage: 'lead', emailConsent: 'granted' })).toBe('B')
    expect(computeTier({ lifecycleStage: 'lead' })).toBe('C')
    expect(effectiveTier({ purchaseCount: 3, tierOverride: 'C' })).toBe('C')
  })

  it('a purchase makes a contact tier A; an override wins until cleared', () => {
    const c = make({ firstName: 'Walk', channel: 'walk_in' })
    expect(c.tier).toBe('C')
    const bought = applyPurchase(c, NOW, NOW)
    expect(bought).toMatchObject({ tier: 'A', purchaseCount: 1, lastPurchaseAt: NOW, version: 2 })
    const overridden = applyPatch(bought, { tier: 'B' }, NOW)
    expect(overridden).toMatchObject({ tier: 'B', tierOverride: 'B' })
    expect(applyPatch(overridden, { tier: null }, NOW)).toMatchObject({ tier: 'A' })
    expect(applyPatch(overridden, { tier: null }, NOW)).not.toHaveProperty('tierOverride')
  })

  it('granting email consent makes a lead tier B', () => {
    const c = make({ firstName: 'Sub' })
    const { contact, before, after } = applyConsent(
      c,
      { channel: 'email', status: 'granted', source: 'form', legalBasis: 'consent' },
      NOW,
    )
    expect(before).toBeUndefined()
    expect(after).toEqual({ status: 'granted', at: NOW, source: 'form', legalBasis: 'consent' })
    expect(contact.tier).toBe('B')
  })

  it('fills defaults on a contact stored before these fields existed', () => {
    const legacy = {
      id: 'X',
      displayName: 'Old',
      emails: [],
      phones: [],
      tags: [],
      ownerId: 'u',
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    }
    expect(withDefaults(legacy)).toMatchObject({
      lifecycleStage: 'lead',
      tier: 'C',
      purchaseCount: 0,
      companies: [],
    })
  })
})

describe('custom fields', () => {
  const defs = [
    { key: 'size', label: 'Size', type: 'select' as const, options: ['S', 'M'] },
    { key: 'vat', label: 'VAT', type: 'text' as const, required: true },
    { key: 'since', label: 'Since', type: 'date' as const },
    { key: 'score', label: 'Score', type: 'number' as const },
  ]

  it('names each bad field as customFields.<key>', () => {
    const problems = customFieldProblems(
      defs,
      { size: 'XL', since: '31/01/2025', score: 'high', nope: 1 },
      true,
    )
    expect(problems.map((p) => `${p.field}:${p.code}`).sort()).toEqual([
      'customFields.nope:unknown_field',
      'customFields.score:invalid_value',
      'customFields.since:invalid_value',
      'customFields.size:invalid_value',
      'customFields.vat:required',
    ])
  })

  it('accepts valid values and merge-patches with null removing a key', () => {
    expect(customFieldProblems(defs, { size: 'M', vat: 'GB1', since: '2025-01-31', score: 3 }, true)).toEqual(
      [],
    )
    expect(patchCustomFields({ size: 'M', vat: 'x' }, { size: null, score: 2 })).toEqual({
      vat: 'x',
      score: 2,
    })
  })
})

describe('filters', () => {
  const c = make({
    firstName: 'F',
    tags: ['VIP'],
    lifecycleStage: 'customer',
    companies: [{ companyId: '01JD3Y0C6Z8R4F2G9QK7WXN5TC' }],
  })
  it('checks tag (folded), owner, stage, company and updatedSince together', () => {
    expect(matchesFilters(c, { tag: 'vip', owner: 'user-1', lifecycleStage: 'customer' })).toBe(true)
    expect(matchesFilters(c, { companyId: '01JD3Y0C6Z8R4F2G9QK7WXN5TC', updatedSince: NOW })).toBe(true)
    expect(matchesFilters(c, { tag: 'other' })).toBe(false)
    expect(matchesFilters(c, { updatedSince: '2026-01-01T00:00:00Z' })).toBe(false)
  })
})
