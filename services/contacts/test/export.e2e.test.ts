/** GET /contacts/export end to end: CSV with BOM and formula guard, JSON lines, filters, tenant, roles. */
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
let stranger: string

beforeAll(async () => {
  api = await startApi({ only: ['contacts'] })
  admin = await api.token('acme', ['admin'])
  stranger = await api.token('globex', ['admin'])
  for (const [i, body] of [
    { firstName: 'Ewa', lastName: 'Nowak', emails: [{ address: 'ewa@export.example' }], tags: ['vip'] },
    { firstName: '=HYPERLINK("http://evil")', lastName: 'Kowalski, "K"', tags: ['vip'] },
    { firstName: 'สมชาย', lastName: 'ใจดี', tags: ['other'] },
  ].entries()) {
    const res = await api.call('POST', '/contacts', { token: admin, body })
    expect(res.status, `seed ${i}: ${res.text}`).toBe(201)
  }
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

/** The raw bytes (fetch's text() would swallow the BOM). */
async function download(path: string, token: string) {
  const res = await fetch(new URL(path, api.url), { headers: { authorization: `Bearer ${token}` } })
  return { res, bytes: Buffer.from(await res.arrayBuffer()) }
}

describe('GET /contacts/export', () => {
  it('streams the filtered contacts as CSV with a BOM, quoted and formula-guarded', async () => {
    // Act
    const { res, bytes } = await download('/contacts/export?tag=vip', admin)
    // Assess
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toContain('filename="contacts.csv"')
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const [header, ...rows] = parse(bytes, { bom: true }) as string[][]
    expect(header?.slice(0, 3)).toEqual(['id', 'firstName', 'lastName'])
    expect(rows).toHaveLength(2)
    const first = rows.map((r) => r[1])
    expect(first).toContain('Ewa')
    expect(first).toContain(`'=HYPERLINK("http://evil")`)
    expect(rows.map((r) => r[2])).toContain('Kowalski, "K"')
    expect(res.headers.get('x-next-cursor')).toBeNull()
  })

  it('answers JSON lines with format=jsonl, names in any script intact', async () => {
    const { res, bytes } = await download('/contacts/export?format=jsonl', admin)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = bytes
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(3)
    expect(lines.map((c) => c.firstName)).toContain('สมชาย')
  })

  it('shows another tenant nothing and refuses bad filters with a problem', async () => {
    const other = await download('/contacts/export?format=jsonl', stranger)
    expect(other.res.status).toBe(200)
    expect(other.bytes.length).toBe(0)
    const bad = await api.call('GET', '/contacts/export?format=xlsx', { token: admin })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    expect(bad.body.errors[0].field).toBe('query.format')
    expect((await api.call('GET', '/contacts/export')).status).toBe(401)
  })
})
