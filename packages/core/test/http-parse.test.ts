import { describe, expect, it } from 'vitest'
import { problemOf } from '../src/http/problem.js'
import { parseCaller, parseGroups, parseIfMatch } from '../src/http.js'
import { Invalid } from '../src/outcomes.js'

describe('parseGroups', () => {
  it.each([
    ['HTTP API stringified array', '[admin sales]', ['admin', 'sales']],
    ['real array', ['admin', 'sales'], ['admin', 'sales']],
    ['comma-separated', 'admin, sales', ['admin', 'sales']],
    ['JSON array string', '["admin","sales"]', ['admin', 'sales']],
    ['single group', 'viewer', ['viewer']],
    ['empty brackets', '[]', []],
    ['missing', undefined, []],
  ])('%s', (_name, value, expected) => {
    expect(parseGroups(value)).toEqual(expected)
  })
})

describe('parseCaller', () => {
  it('maps custom:tenantId, sub and known groups', () => {
    expect(parseCaller({ 'custom:tenantId': 'acme', sub: 'u1', 'cognito:groups': '[sales hacker]' })).toEqual(
      {
        tenantId: 'acme',
        userId: 'u1',
        roles: ['sales'],
      },
    )
  })

  it.each([
    ['no claims', undefined],
    ['no tenant', { sub: 'u1' }],
    ['no subject', { 'custom:tenantId': 'acme' }],
    ['tenant with #', { 'custom:tenantId': 'acme#x', sub: 'u1' }],
  ])('is undefined with %s', (_name, claims) => {
    expect(parseCaller(claims)).toBeUndefined()
  })
})

describe('parseIfMatch', () => {
  it.each([
    ['"3"', 3],
    ['W/"3"', 3],
    [' "12" ', 12],
    ['*', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, expected) => {
    expect(parseIfMatch(header)).toBe(expected)
  })

  it.each(['abc', '"3", "4"', '"-1"', 'W/3', '""'])('rejects %s with 400 on headers.if-match', (header) => {
    let err: unknown
    try {
      parseIfMatch(header)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(Invalid)
    expect(problemOf(err, false).status).toBe(400)
    expect((err as Invalid).errors[0]?.field).toBe('headers.if-match')
  })
})
