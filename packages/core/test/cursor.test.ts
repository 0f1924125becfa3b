import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../src/ddb.js'
import { Invalid } from '../src/outcomes.js'

describe('cursor tenant check on sort keys', () => {
  it('accepts sort keys without a tenant prefix (the partition key decides the tenant)', () => {
    const key = { pk: 'T#acme#CONTACTS', sk: 'C#01J', gsi1pk: 'T#acme#E#x', gsi1sk: 'ana@example.com' }
    expect(decodeCursor(encodeCursor(key), 'acme')).toEqual(key)
  })

  it("rejects a sort key naming another tenant, and a partition key that is not the tenant's", () => {
    expect(() => decodeCursor(encodeCursor({ pk: 'T#acme#X', sk: 'T#other#Y' }), 'acme')).toThrow(Invalid)
    expect(() => decodeCursor(encodeCursor({ pk: 'T#acme#X', gsi1pk: 7 }), 'acme')).toThrow(Invalid)
  })
})
