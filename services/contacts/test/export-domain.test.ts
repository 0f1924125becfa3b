import type { Contact } from '@relay/contracts/contacts'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  csvCell,
  csvHeader,
  csvLine,
  EXPORT_COLUMNS,
  exportValues,
  jsonLine,
} from '../src/domain/csv-export.js'

const contact = (over: Partial<Contact> = {}): Contact => ({
  id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB',
  firstName: 'Siân',
  lastName: 'Llewellyn',
  displayName: 'Siân Llewellyn',
  emails: [
    { address: 'other@example.com', primary: false },
    { address: 'sian@example.com', primary: true },
  ],
  phones: [{ number: '+442920180000' }, { number: '+66812345678', extension: '12' }],
  tags: ['lead', 'wales'],
  ownerId: 'u1',
  lifecycleStage: 'lead',
  tier: 'C',
  consent: { email: { status: 'withdrawn', at: '2026-01-01T00:00:00.000Z' } },
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  ...over,
})

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
  })

  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-2')).toBe("'-2")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('a=b')).toBe('a=b')
  })

  it('round-trips any text through a CSV parser (with the guard quote when one was added)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const back = (parse(`${csvCell(s)}\r\n`) as string[][])[0]?.[0]
        const expected = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
        return s === '' ? back === undefined || back === '' : back === expected
      }),
    )
  })
})

describe('contact lines', () => {
  it('puts the primary email first and lists with ;, one value per column', () => {
    const values = exportValues(contact())
    expect(values).toHaveLength(EXPORT_COLUMNS.length)
    const row = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, values[i]]))
    expect(row).toMatchObject({
      email: 'sian@example.com;other@example.com',
      phone: '+442920180000;+66812345678 ext. 12',
      tags: 'lead;wales',
      emailConsent: 'withdrawn',
      firstName: 'Siân',
    })
  })

  it('writes CRLF lines a parser reads back to the same cells', () => {
    const c = contact({ jobTitle: '=cmd|calc', companyName: 'Jones, "Bros"' })
    const [header, line] = parse(csvHeader() + csvLine(c)) as string[][]
    expect(header).toEqual([...EXPORT_COLUMNS])
    expect(line?.[EXPORT_COLUMNS.indexOf('jobTitle')]).toBe("'=cmd|calc")
    expect(line?.[EXPORT_COLUMNS.indexOf('companyName')]).toBe('Jones, "Bros"')
  })

  it('writes the API contact as one JSON line', () => {
    const text = jsonLine(contact())
    expect(text.endsWith('\n')).toBe(true)
    expect(text.indexOf('\n')).toBe(text.length - 1)
    expect(JSON.parse(text).id).toBe('01JD3Y0C6Z8R4F2G9QK7WXN5TB')
  })
})
