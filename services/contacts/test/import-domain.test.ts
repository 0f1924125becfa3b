/** CSV import rules, pure. */
import { CreateContact } from '@relay/contracts/contacts'
import { describe, expect, it } from 'vitest'
import { importRowId, parseCsv, rowToInput } from '../src/domain/csv-import.js'

describe('parseCsv', () => {
  it('reads a header row in any case and order, quoted cells, BOM and empty lines', () => {
    const csv = '\uFEFFEmail,FIRSTNAME,tags\n"ann@x.io","Ann, the first",vip;golf\n\nbob@x.io,Bob,\n'
    expect(parseCsv(csv)).toEqual({
      rows: [
        { email: 'ann@x.io', firstName: 'Ann, the first', tags: 'vip;golf' },
        { email: 'bob@x.io', firstName: 'Bob' },
      ],
    })
  })

  it('names unknown columns, a broken quote and a missing header as problems of field csv', () => {
    expect(parseCsv('firstName,shoe\nA,42')).toMatchObject({
      problem: { field: 'csv', code: 'unknown_columns' },
    })
    expect(parseCsv('firstName\n"unterminated')).toMatchObject({
      problem: { field: 'csv', code: 'invalid_csv' },
    })
    expect(parseCsv('\n\n')).toMatchObject({ problem: { code: 'empty' } })
  })
})

describe('rowToInput', () => {
  it('turns a row into a valid POST /contacts body, lists split on ;', () => {
    const input = rowToInput(
      { firstName: 'Ann', email: 'a@x.io; b@x.io', phone: '02 123 4567', tags: 'vip' },
      'TH',
    )
    expect(CreateContact.parse(input)).toMatchObject({
      firstName: 'Ann',
      emails: [{ address: 'a@x.io' }, { address: 'b@x.io' }],
      phones: [{ number: '02 123 4567' }],
      tags: ['vip'],
      channel: 'import',
      defaultRegion: 'TH',
    })
  })
})

describe('importRowId', () => {
  it('is a ULID-shaped id, the same for the same job and row, different for another row', () => {
    const job = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
    expect(importRowId(job, 1)).toMatch(/^01JD3Y0C6Z[0-9A-HJKMNP-TV-Z]{16}$/)
    expect(importRowId(job, 1)).toBe(importRowId(job, 1))
    expect(importRowId(job, 2)).not.toBe(importRowId(job, 1))
  })
})
