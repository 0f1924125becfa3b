/** Merging and duplicate keys, pure. */
import { CreateContact } from '@relay/contracts/contacts'
import { describe, expect, it } from 'vitest'
import { applyPurchase, buildContact } from '../src/domain/contact.js'
import {
  duplicateScore,
  isLikelyDuplicate,
  matchKeys,
  nameBlock,
  nameSimilarity,
} from '../src/domain/dedupe.js'
import { mergeContacts, mergeProblems } from '../src/domain/merge.js'

const NOW = '2025-01-01T00:00:00.000Z'
const make = (id: string, input: unknown) =>
  buildContact(CreateContact.parse(input), { id, ownerId: 'u-1', now: NOW, region: 'GB' })

describe('duplicate blocking keys and scores', () => {
  it('files a contact under its phones and its name block at each company', () => {
    const a = make('A', {
      firstName: 'Siân',
      lastName: 'Lewis',
      companyName: 'Tŷ Coffi',
      companies: [{ companyId: '01JD3Y0C6Z8R4F2G9QK7WXN5TB' }],
      phones: [{ number: '029 2018 0000' }],
    })
    expect(matchKeys(a)).toEqual([
      'name:id:01JD3Y0C6Z8R4F2G9QK7WXN5TB:s lewis',
      'name:name:ty coffi:s lewis',
      'phone:+442920180000',
    ])
    expect(nameBlock(make('T', { firstName: 'สมชาย', lastName: 'ใจดี' }))).toBe('ส ใจดี')
    expect(nameBlock(make('J', { displayName: '山田' }))).toBe('山田')
    expect(matchKeys(make('N', { firstName: 'No', lastName: 'Company' }))).toEqual([])
  })

  it('scores a similar name at the same company, a shared phone, and both together', () => {
    const at = (first: string, last: string, company = 'Acme', phone?: string) =>
      make(first + last, {
        firstName: first,
        lastName: last,
        companyName: company,
        ...(phone ? { phones: [{ number: phone }] } : {}),
      })
    const john = at('John', 'Smith', 'Acme', '020 7946 0000')
    expect(duplicateScore(john, at('Jon', 'Smith'))).toEqual({ score: 0.86, reasons: ['name_company'] })
    expect(duplicateScore(john, at('J.', 'Smith'))).toEqual({ score: 0.86, reasons: ['name_company'] })
    expect(duplicateScore(john, at('Smith', 'John'))).toEqual({ score: 0.95, reasons: ['name_company'] })
    expect(duplicateScore(john, at('JOHN', 'SMITH', 'ACME'))).toEqual({
      score: 0.95,
      reasons: ['name_company'],
    })
    // Namesakes at another company, or different people at the same one, are not duplicates.
    expect(isLikelyDuplicate(duplicateScore(john, at('John', 'Smith', 'Globex')))).toBe(false)
    expect(isLikelyDuplicate(duplicateScore(john, at('Mary', 'Smith')))).toBe(false)
    // A phone alone is strong evidence; with a similar name at the same company, near certain.
    const phoneOnly = duplicateScore(john, at('Mary', 'Jones', 'Globex', '+44 20 7946 0000'))
    expect(phoneOnly).toEqual({ score: 0.9, reasons: ['phone'] })
    expect(duplicateScore(john, at('Jon', 'Smith', 'Acme', '+442079460000'))).toEqual({
      score: 0.99,
      reasons: ['phone', 'name_company'],
    })
  })

  it('measures name similarity on folded names, any script', () => {
    const n = (first: string, last: string) => make(first, { firstName: first, lastName: last })
    expect(nameSimilarity(n('Siân', 'Lewis'), n('SIAN', 'LEWIS'))).toBe(1)
    expect(nameSimilarity(n('สมชาย', 'ใจดี'), n('สมชาย', 'ใจดี'))).toBe(1)
    expect(nameSimilarity(n('Katherine', 'Jones'), n('Catherine', 'Jones'))).toBeCloseTo(14 / 15)
    expect(nameSimilarity(n('Ann', 'Lee'), n('Bob', 'Ray'))).toBeLessThan(0.5)
  })
})

describe('mergeContacts', () => {
  it("keeps the target's values, fills gaps from the source, unites lists and adds purchases", () => {
    // Prepare
    const target = make('T', { firstName: 'Ann', emails: [{ address: 'ann@x.io' }], tags: ['vip'] })
    const source = applyPurchase(
      make('S', {
        firstName: 'Annie',
        lastName: 'Lee',
        emails: [{ address: 'annie@y.io', primary: true }, { address: 'ANN@x.io' }],
        tags: ['VIP', 'golf'],
        jobTitle: 'Buyer',
        lifecycleStage: 'customer',
      }),
      NOW,
      NOW,
    )
    // Act
    const merged = mergeContacts(target, source, NOW)
    // Assess
    expect(merged).toMatchObject({
      id: 'T',
      firstName: 'Ann',
      lastName: 'Lee',
      jobTitle: 'Buyer',
      tags: ['vip', 'golf'],
      lifecycleStage: 'customer',
      purchaseCount: 1,
      tier: 'A',
      version: 2,
    })
    expect(merged.emails).toEqual([
      { address: 'ann@x.io', primary: true },
      { address: 'annie@y.io', primary: false },
    ])
    expect(mergeProblems(merged)).toEqual([])
  })

  it('names a list that would exceed its limit', () => {
    const emails = (p: string) => Array.from({ length: 6 }, (_, i) => ({ address: `${p}${i}@x.io` }))
    const merged = mergeContacts(
      make('T', { firstName: 'T', emails: emails('t') }),
      make('S', { firstName: 'S', emails: emails('s') }),
      NOW,
    )
    expect(mergeProblems(merged).map((p) => p.field)).toEqual(['emails'])
  })
})
