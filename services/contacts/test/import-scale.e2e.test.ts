/**
 * CSV imports at scale, end to end on DynamoDB Local: rows in chunks of 500 that re-enqueue
 * themselves through the outbox, upsert by email, BOM, column mapping, 413 over the inline body limit.
 * 600 rows (2 chunks, so one hop of the chain) here, with every other service consuming the events;
 * the 10 000-row import is import-10k.int.test.ts and the 100 000-row figure is in the benchmark
 * (test/bench/contacts.ts).
 */
import { IMPORT_LIMITS } from '@relay/contracts/contact-imports'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let marketing: string
let admin: string

beforeAll(async () => {
  api = await startApi({ only: ['contacts'] })
  marketing = await api.token('acme', ['marketing'])
  admin = await api.token('acme', ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const finished = (location: string, timeoutMs: number) =>
  eventually(
    async () => {
      const job = await api.call('GET', location, { token: marketing })
      return job.body?.status === 'completed' || job.body?.status === 'failed' ? job.body : undefined
    },
    timeoutMs,
    250,
  )

describe('POST /contacts/imports at scale', () => {
  it('imports 600 rows in 2 chunks with the right counts, upserting by email', async () => {
    // Prepare: two addresses exist already; one row is bad; one address appears twice in the file.
    const rows = 600
    for (const i of [7, 8]) {
      const res = await api.call('POST', '/contacts', {
        token: admin,
        body: { firstName: `Old ${i}`, emails: [{ address: `row${i}@scale.example` }], tags: ['old'] },
      })
      expect(res.status, res.text).toBe(201)
    }
    const lines = ['\uFEFFfirstName,lastName,email,tags']
    for (let i = 1; i <= rows; i++) {
      if (i === 500) lines.push('Bad,Row,not-an-email,x')
      else if (i === 599) lines.push('Again,Dup,row42@scale.example,again')
      else if (i === 8) lines.push(`Old 8,,row8@scale.example,old`)
      else lines.push(`Row ${i},Scale,row${i}@scale.example,scale`)
    }
    // Act
    const started = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { csv: lines.join('\r\n') },
    })
    // Assess
    expect(started.status, started.text).toBe(201)
    expect(started.body).toMatchObject({ status: 'queued', total: rows, processed: 0 })
    const done = await finished(started.headers.get('location')!, 170_000)
    // Row 7 gains a name part and a tag (updated), row 8 changes nothing (skipped), row 599 adds to row 42.
    expect(done).toMatchObject({
      status: 'completed',
      total: rows,
      processed: rows,
      created: rows - 4,
      updated: 2,
      skipped: 1,
      failed: 1,
    })
    expect(done.errors).toEqual([expect.objectContaining({ row: 500, field: 'emails.0.address' })])
    const found = await api.call('GET', '/contacts?q=row42@scale.example', { token: admin })
    expect(found.body.items[0]).toMatchObject({ lastName: 'Dup', tags: ['scale', 'again'] })
  }, 180_000)

  it('reads a mapping of the file headers and ignores the columns mapped to null', async () => {
    const csv = 'Given name,Family name,E-mail,Notes\nAroha,Ngata,aroha@mapping.example,ignore me\n'
    const started = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: {
        csv,
        mapping: { 'Given name': 'firstName', 'family name': 'lastName', 'E-mail': 'email', Notes: null },
      },
    })
    expect(started.status, started.text).toBe(201)
    const done = await finished(started.headers.get('location')!, 10_000)
    expect(done).toMatchObject({ status: 'completed', created: 1, failed: 0 })
    const found = await api.call('GET', '/contacts?q=aroha', { token: admin })
    expect(found.body.items[0]).toMatchObject({ firstName: 'Aroha', lastName: 'Ngata' })
    const bad = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { csv, mapping: { Missing: 'email' } },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors[0].field).toBe('mapping.missing')
  })

  it('answers 413 for an inline body over 5 MB (Lambda’s 6 MB payload), and 400 over 100 000 rows', async () => {
    const big = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { csv: `firstName\n${'x'.repeat(IMPORT_LIMITS.bodyBytes)}` },
    })
    expect(big.status).toBe(413)
    expect(big.headers.get('content-type')).toContain('application/problem+json')
    const many = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { csv: `firstName\n${'a\n'.repeat(100_001)}` },
    })
    expect(many.status).toBe(400)
    expect(many.body.errors[0]).toMatchObject({ field: 'csv', code: 'too_many_rows' })
  })
})
