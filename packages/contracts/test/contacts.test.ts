import { describe, expect, it } from 'vitest'
import { PaginationQuery } from '../src/common.js'
import { CONTACT_LIMITS, CreateContact, UpdateContact } from '../src/contacts.js'

const fields = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (r.error?.issues ?? []).map((i) => i.path.join('.'))

describe('CreateContact', () => {
  it('normalises names in any script to NFC, trimmed, and lower-cases emails', () => {
    // Prepare: Welsh ŵ typed as w + U+0302; Arabic name with surrounding spaces
    const input = {
      firstName: '  Gwe\u0302n  ',
      lastName: ' محمد ',
      emails: [{ address: ' Gwen@Example.ORG ', label: ' Gwaith ' }],
    }
    // Act
    const out = CreateContact.parse(input)
    // Assess
    expect(out.firstName).toBe('Gw\u00ean')
    expect(out.lastName).toBe('محمد')
    expect(out.emails?.[0]).toEqual({ address: 'gwen@example.org', label: 'Gwaith' })
  })

  it('rejects unknown fields (no mass assignment), naming them', () => {
    const r = CreateContact.safeParse({ firstName: 'A', version: 5, tenantId: 'other' })
    expect(r.success).toBe(false)
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['version', 'tenantId'] })
  })

  it('needs at least one name', () => {
    expect(fields(CreateContact.safeParse({ emails: [] }))).toEqual(['firstName'])
    expect(CreateContact.safeParse({ displayName: 'Acme buyer' }).success).toBe(true)
    expect(CreateContact.safeParse({ firstName: '   ' }).success).toBe(false)
  })

  it('enforces the limits', () => {
    const long = 'x'.repeat(CONTACT_LIMITS.name + 1)
    expect(fields(CreateContact.safeParse({ firstName: long }))).toContain('firstName')
    const tags = Array.from({ length: CONTACT_LIMITS.tags + 1 }, (_, i) => `t${i}`)
    expect(fields(CreateContact.safeParse({ firstName: 'A', tags }))).toContain('tags')
    const emails = Array.from({ length: CONTACT_LIMITS.emails + 1 }, (_, i) => ({ address: `a${i}@x.io` }))
    expect(fields(CreateContact.safeParse({ firstName: 'A', emails }))).toContain('emails')
  })

  it('rejects duplicate tags (ignoring case), two primary emails, bad phones and control characters', () => {
    expect(fields(CreateContact.safeParse({ firstName: 'A', tags: ['VIP', 'vip'] }))).toEqual(['tags'])
    expect(
      fields(
        CreateContact.safeParse({
          firstName: 'A',
          emails: [
            { address: 'a@x.io', primary: true },
            { address: 'b@x.io', primary: true },
          ],
        }),
      ),
    ).toEqual(['emails'])
    expect(fields(CreateContact.safeParse({ firstName: 'A', phones: [{ number: 'call me' }] }))).toEqual([
      'phones.0.number',
    ])
    expect(
      CreateContact.safeParse({ firstName: 'A', phones: [{ number: '+44 (0)20 7946-0958 ext. 12' }] })
        .success,
    ).toBe(true)
    expect(fields(CreateContact.safeParse({ firstName: 'A\u0007' }))).toEqual(['firstName'])
  })
})

describe('UpdateContact', () => {
  it('accepts null to clear, rejects an empty patch and unknown fields', () => {
    expect(UpdateContact.parse({ companyName: null })).toEqual({ companyName: null })
    expect(UpdateContact.safeParse({}).success).toBe(false)
    expect(UpdateContact.safeParse({ id: 'x' }).success).toBe(false)
  })
})

describe('PaginationQuery', () => {
  it('takes limit 1..100 from a query string', () => {
    expect(PaginationQuery.parse({ limit: '10' })).toEqual({ limit: 10 })
    for (const bad of ['0', '101', '1.5', 'ten', ''])
      expect(PaginationQuery.safeParse({ limit: bad }).success).toBe(false)
  })
})
