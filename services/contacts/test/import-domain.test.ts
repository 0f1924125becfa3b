/** CSV import rules, pure: inline (parseCsv) and streamed (importCsvStream) share them. */
import { Readable } from 'node:stream'
import { CreateContact } from '@relay/contracts/contacts'
import { describe, expect, it } from 'vitest'
import {
  type CsvStreamOptions,
  chunkRows,
  importCsvStream,
  importRowId,
  parseCsv,
  rowToInput,
} from '../src/domain/csv-import.js'

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

/** A byte stream of `text` in pieces of `size` bytes (pieces cut through multi-byte characters). */
const bytesOf = (text: string, size: number) => {
  const bytes = Buffer.from(text, 'utf8')
  const pieces: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size))
  return Readable.from(pieces)
}

/** Runs importCsvStream and keeps what it hands out. */
async function streamed(source: Readable, options: Partial<CsvStreamOptions> = {}) {
  const chunks: { index: number; rows: Record<string, string>[] }[] = []
  const out = await importCsvStream(source, {
    ...options,
    onChunk: async (rows, index) => {
      chunks.push({ index, rows })
    },
  })
  return { out, chunks }
}

describe('importCsvStream (the uploaded file, read as a stream)', () => {
  const csv = [
    '\uFEFFGiven name,lastName,E-mail,phone,tags,Notes',
    'สมชาย,ใจดี,somchai@example.th,081 234 5678,vip;golf,x',
    'Siân,Llewellyn,sian@example.cymru,,"cymru, wales",y',
    '"Ffion ""Ffi""",Ap Dafydd,ffion@example.cymru,,,"multi',
    'line note"',
    '',
    'Nguyễn,Văn An,an@example.vn,,,',
  ].join('\r\n')
  const mapping = { 'Given name': 'firstName', 'E-mail': 'email', Notes: null } as const

  it('reads the same rows as the inline parser, whatever the byte boundaries (BOM, Thai, Welsh, quotes)', async () => {
    // Prepare
    const inline = parseCsv(csv, mapping)
    // Act: 1, 3 and 7 byte pieces split the BOM and multi-byte letters.
    const results = await Promise.all(
      [1, 3, 7, 4096].map((size) => streamed(bytesOf(csv, size), { mapping })),
    )
    // Assess
    expect('rows' in inline && inline.rows).toHaveLength(4)
    for (const { out, chunks } of results) {
      expect(out).toEqual({ rows: 4, chunks: 1 })
      expect(chunks).toEqual([{ index: 0, rows: 'rows' in inline ? inline.rows : [] }])
    }
    expect(results[0]!.chunks[0]!.rows[0]).toEqual({
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      email: 'somchai@example.th',
      phone: '081 234 5678',
      tags: 'vip;golf',
    })
    expect(results[0]!.chunks[0]!.rows[2]!.firstName).toBe('Ffion "Ffi"')
  })

  it('hands out chunks of at most chunkRows rows and chunkBytes of JSON, numbered from 0', async () => {
    // Prepare
    const lines = ['firstName,email', ...Array.from({ length: 1_050 }, (_, i) => `Row ${i},row${i}@x.io`)]
    // Act
    const byRows = await streamed(bytesOf(lines.join('\n'), 512), { chunkRows: 500 })
    const byBytes = await streamed(bytesOf(lines.join('\n'), 512), { chunkRows: 500, chunkBytes: 2_000 })
    // Assess
    expect(byRows.out).toEqual({ rows: 1_050, chunks: 3 })
    expect(byRows.chunks.map((c) => [c.index, c.rows.length])).toEqual([
      [0, 500],
      [1, 500],
      [2, 50],
    ])
    expect(byRows.chunks.flatMap((c) => c.rows)).toEqual(
      chunkRows(
        lines.slice(1).map((l) => ({ firstName: l.split(',')[0]!, email: l.split(',')[1]! })),
        500,
      ).flat(),
    )
    for (const c of byBytes.chunks)
      expect(JSON.stringify(c.rows).length).toBeLessThanOrEqual(2_000 + c.rows.length)
    expect(byBytes.chunks.map((c) => c.index)).toEqual(byBytes.chunks.map((_, i) => i))
  })

  it('reads only as far as the chunk being written: memory holds a chunk, not the file', async () => {
    // Prepare: 20 000 lines produced on demand; the first chunk's write is slow.
    let produced = 0
    function* lines() {
      yield 'firstName,email\n'
      for (let i = 0; i < 20_000; i++) {
        produced++
        yield `Row ${i},row${i}@x.io\n`
      }
    }
    const seen: number[] = []
    // Act
    const out = await importCsvStream(Readable.from(lines()), {
      chunkRows: 100,
      onChunk: async () => {
        seen.push(produced)
        await new Promise((r) => setTimeout(r, 5))
      },
    })
    // Assess: at every chunk only a bounded window (stream buffers) had been read ahead of it.
    expect(out).toEqual({ rows: 20_000, chunks: 200 })
    const ahead = seen.map((n, i) => n - (i + 1) * 100)
    expect(Math.max(...ahead)).toBeLessThan(5_000)
  })

  it('stops at the first row over maxRows with too_many_rows, without reading the rest', async () => {
    let produced = 0
    function* lines() {
      yield 'email\n'
      for (let i = 0; i < 100_000; i++) {
        produced++
        yield `r${i}@x.io\n`
      }
    }
    const { out } = await streamed(Readable.from(lines()), { maxRows: 1_000, chunkRows: 100 })
    expect(out).toMatchObject({
      problem: { field: 'csv', code: 'too_many_rows', message: 'At most 1000 rows' },
    })
    expect(produced).toBeLessThan(10_000)
  })

  it('reports the problems of the inline path: header, mapping, broken CSV, empty file', async () => {
    expect((await streamed(bytesOf('firstName,shoe\nA,42\n', 5))).out).toMatchObject({
      problem: { field: 'csv', code: 'unknown_columns' },
    })
    expect((await streamed(bytesOf('firstName\nA\n', 5), { mapping: { Email: 'email' } })).out).toMatchObject(
      {
        problem: { field: 'mapping.email', code: 'unknown_header' },
      },
    )
    expect((await streamed(bytesOf('firstName\n"unterminated\n', 5))).out).toMatchObject({
      problem: { field: 'csv', code: 'invalid_csv' },
    })
    expect((await streamed(bytesOf('\uFEFF\n\n', 2))).out).toMatchObject({ problem: { code: 'empty' } })
    expect(parseCsv('\uFEFF\n\n')).toMatchObject({ problem: { code: 'empty' } })
  })

  it('rejects when the source itself fails (a broken connection is not a bad file)', async () => {
    async function* broken() {
      yield Buffer.from('firstName\nAnn\n')
      throw new Error('socket hang up')
    }
    await expect(streamed(Readable.from(broken()))).rejects.toThrow('socket hang up')
  })
})
