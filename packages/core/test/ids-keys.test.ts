import { describe, expect, it } from 'vitest'
import { newId, nowIso } from '../src/ids.js'
import { tenantKey, tenantPrefix } from '../src/keys.js'

describe('ids', () => {
  it('are ULIDs sorted by creation even within one millisecond', () => {
    const ids = Array.from({ length: 50 }, () => newId())
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
  })

  it('nowIso is ISO 8601 UTC with milliseconds', () => {
    expect(nowIso()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })
})

describe('keys', () => {
  it('prefix every key with the tenant', () => {
    expect(tenantPrefix('acme')).toBe('T#acme#')
    expect(tenantKey('acme', 'CONTACT', 'c1', 2)).toBe('T#acme#CONTACT#c1#2')
  })

  it('refuse a tenant that could reach another key space', () => {
    expect(() => tenantKey('', 'X')).toThrow()
    expect(() => tenantKey('a#b', 'X')).toThrow()
  })
})
