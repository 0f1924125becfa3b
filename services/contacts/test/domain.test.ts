import type { Contact } from '@relay/contracts/contacts'
import { CreateContact } from '@relay/contracts/contacts'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applyPatch,
  buildContact,
  contactProblems,
  diffContacts,
  foldText,
  normaliseEmails,
  normaliseTags,
  normaliseText,
} from '../src/domain/contact.js'

const NOW = '2025-01-01T00:00:00.000Z'
const LATER = '2025-01-02T00:00:00.000Z'
const ctx = { id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB', ownerId: 'user-1', now: NOW }

const base = (): Contact =>
  buildContact({ firstName: 'Ann', lastName: 'Lee', emails: [{ address: 'ann@example.com' }] }, ctx)

describe('normaliseText', () => {
  it('stores decomposed Welsh as NFC', () => {
    // Prepare: w + COMBINING CIRCUMFLEX (U+0302)
    const decomposed = 'Gwy\u0302n'
    // Act
    const out = normaliseText(`  ${decomposed} `)
    // Assess
    expect(out).toBe('Gw\u0177n')
    expect(out).toHaveLength(4)
  })

  it('stores Thai marks typed in another order in canonical (NFC) order', () => {
    // Prepare: ปู่ ("grandfather") typed tone mark first: PO PLA + MAI EK (ccc 107) + SARA UU (ccc 103)
    const typed = '\u0E1B\u0E48\u0E39'
    // Act
    const out = normaliseText(`\u00a0${typed}\t`)
    // Assess: the vowel (lower combining class) comes before the tone mark, and the space/tab are gone
    expect(out).toBe('\u0E1B\u0E39\u0E48')
  })

  it('collapses inner whitespace', () => {
    expect(normaliseText('Ann   Marie\u00a0Lee')).toBe('Ann Marie Lee')
  })

  it('is idempotent for any text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        (s) => normaliseText(normaliseText(s)) === normaliseText(s),
      ),
    )
  })
})

describe('foldText', () => {
  it('folds case, Latin accents and full width', () => {
    expect(foldText('Ｓiân  LLEWELLYN')).toBe('sian llewellyn')
  })

  it('keeps Thai tone marks and Arabic letters, which carry meaning', () => {
    // SARA AM and its two-character spelling (NIKHAHIT + SARA AA) fold alike; MAI THO (U+0E49) stays.
    expect(foldText('\u0E19\u0E49\u0E33')).toBe(foldText('\u0E19\u0E49\u0E4D\u0E32'))
    expect(foldText('\u0E19\u0E49\u0E33')).toContain('\u0E49')
    expect(foldText('محمد')).toBe('محمد')
  })
})

describe('buildContact', () => {
  it('builds a version-1 contact through the contract, NFC names, lower-case email, owner from the caller', () => {
    // Prepare
    const input = CreateContact.parse({
      firstName: ' สมชาย ',
      lastName: 'Gwy\u0302n',
      emails: [{ address: ' Somchai@Example.COM ' }],
      tags: ['vip'],
    })
    // Act
    const c = buildContact(input, ctx)
    // Assess
    expect(c).toMatchObject({
      id: ctx.id,
      firstName: 'สมชาย',
      lastName: 'Gw\u0177n',
      displayName: 'สมชาย Gw\u0177n',
      emails: [{ address: 'somchai@example.com', primary: true }],
      phones: [],
      tags: ['vip'],
      ownerId: 'user-1',
      version: 1,
      createdAt: NOW,
      updatedAt: NOW,
    })
  })

  it('keeps exactly one primary email: the flagged one', () => {
    const emails = normaliseEmails([{ address: 'a@x.io' }, { address: 'b@x.io', primary: true }])
    expect(emails.map((e) => e.primary)).toEqual([false, true])
  })

  it('drops case-insensitive duplicate tags, keeping the first spelling', () => {
    expect(normaliseTags(['VIP', 'vip', 'lead'])).toEqual(['VIP', 'lead'])
  })
})

describe('applyPatch and diffContacts', () => {
  it('changes only the given fields, bumps the version and reports before/after', () => {
    // Prepare
    const current = base()
    // Act
    const next = applyPatch(current, { companyName: 'Acme', tags: ['a', 'b'] }, LATER)
    const changes = diffContacts(current, next)
    // Assess
    expect(next).toMatchObject({
      firstName: 'Ann',
      companyName: 'Acme',
      tags: ['a', 'b'],
      version: 2,
      updatedAt: LATER,
    })
    expect(next.createdAt).toBe(NOW)
    expect(changes).toEqual({ companyName: { after: 'Acme' }, tags: { before: [], after: ['a', 'b'] } })
  })

  it('null clears an optional field', () => {
    const current = applyPatch(base(), { companyName: 'Acme' }, LATER)
    const next = applyPatch(current, { companyName: null }, LATER)
    expect(next.companyName).toBeUndefined()
    expect(diffContacts(current, next)).toEqual({ companyName: { before: 'Acme' } })
  })

  it('keeps displayName in step with the names until it is set by hand', () => {
    const renamed = applyPatch(base(), { lastName: 'Lee-Jones' }, LATER)
    expect(renamed.displayName).toBe('Ann Lee-Jones')
    expect(diffContacts(base(), renamed)).toEqual({
      lastName: { before: 'Lee', after: 'Lee-Jones' },
      displayName: { before: 'Ann Lee', after: 'Ann Lee-Jones' },
    })
    const custom = applyPatch(renamed, { displayName: 'Dr Ann' }, LATER)
    expect(applyPatch(custom, { firstName: 'Anne' }, LATER).displayName).toBe('Dr Ann')
    expect(applyPatch(custom, { displayName: null }, LATER).displayName).toBe('Ann Lee-Jones')
  })

  it('reports a contact left without any name', () => {
    const nameless = applyPatch(base(), { firstName: null, lastName: null }, LATER)
    expect(contactProblems(nameless)).toEqual([expect.objectContaining({ field: 'displayName' })])
    expect(contactProblems(base())).toEqual([])
  })

  it('a patch that sets the current values changes nothing', () => {
    const current = base()
    const next = applyPatch(current, { firstName: 'Ann', emails: [{ address: 'ann@example.com' }] }, LATER)
    expect(diffContacts(current, next)).toEqual({})
  })
})
