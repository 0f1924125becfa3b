/** Merging and duplicate keys, pure. */
import { CreateContact } from '@relay/contracts/contacts'
import { describe, expect, it } from 'vitest'
import { applyPurchase, buildContact } from '../src/domain/contact.js'
import { mergeContacts, mergeProblems } from '../src/domain/merge.js'
import { duplicateReasons, matchKeys } from '../src/domain/search.js'

const NOW = '2025-01-01T00:00:00.000Z'
const make = (id: string, input: unknown) =>
  buildContact(CreateContact.parse(input), { id, ownerId: 'u-1', now: NOW, region: 'GB' })

describe('matchKeys and duplicateReasons', () => {
  it('pairs contacts with the same folded name or the same phone', () => {
    const a = make('A', { firstName: 'Siân', lastName: 'Lewis', phones: [{ number: '029 2018 0000' }] })
    const b = make('B', { firstName: 'SIAN', lastName: 'LEWIS' })
    const c = make('C', { firstName: 'Other', phones: [{ number: '+44 29 2018 0000' }] })
    expect(matchKeys(a)).toEqual(['name:sian lewis', 'phone:+442920180000'])
    expect(duplicateReasons(a, b)).toEqual(['name'])
    expect(duplicateReasons(a, c)).toEqual(['phone'])
    expect(duplicateReasons(b, c)).toEqual([])
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
