/**
 * Imports and exports through S3, end to end on the local runtime: the client asks for an upload,
 * PUTs the file to the presigned URL with fetch (as a browser would), the local S3 endpoint fires
 * the object trigger, the job runs its chunks; an export job writes the filtered set to S3 and the
 * client downloads it from the presigned link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let marketing: string
let viewer: string

beforeAll(async () => {
  api = await startApi({ only: ['contacts'] })
  marketing = await api.token('files', ['marketing'])
  viewer = await api.token('files', ['viewer'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const finished = (location: string, token: string, timeoutMs: number) =>
  eventually(
    async () => {
      const job = await api.call('GET', location, { token })
      return ['completed', 'failed'].includes(job.body?.status) ? job.body : undefined
    },
    timeoutMs,
    250,
  )

// Two chunks of the upload parser and of the runner: what crosses a chunk boundary is covered.
const ROWS = 600
/** Thai, Welsh and plain names, every 4th row tagged cymru. */
const row = (i: number) => {
  const [first, last] =
    i % 3 === 0
      ? ['สมชาย', `ใจดี${i}`]
      : i % 3 === 1
        ? ['Siân', `Llewellyn-${i}`]
        : ['Rhodri', `ap Gwilym ${i}`]
  return `${first},${last},row${i}@files.example,${i % 4 === 0 ? 'cymru;upload' : 'upload'}`
}

describe('an import uploaded to S3', () => {
  let importedIds: string[] = []

  it(`imports ${ROWS} rows (BOM, Thai and Welsh names) PUT to the presigned URL`, async () => {
    // Prepare
    const csv = `\uFEFFGiven name,lastName,email,tags\r\n${Array.from({ length: ROWS }, (_, i) => row(i + 1)).join('\r\n')}\r\n`
    const started = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { upload: true, fileName: 'cysylltiadau.csv', mapping: { 'Given name': 'firstName' } },
    })
    expect(started.status, started.text).toBe(201)
    expect(started.body).toMatchObject({ status: 'awaiting_upload', fileName: 'cysylltiadau.csv' })
    const location = started.headers.get('location')!
    const { upload } = started.body
    expect(upload.url.startsWith(api.runtime.s3Endpoint)).toBe(true)
    // Act: the client sends the file itself, straight to S3.
    const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: csv })
    // Assess
    expect(put.status, await put.clone().text()).toBe(200)
    const done = await finished(location, marketing, 280_000)
    expect(done).toMatchObject({
      status: 'completed',
      total: ROWS,
      processed: ROWS,
      created: ROWS,
      failed: 0,
      fileName: 'cysylltiadau.csv',
    })
    // The file is gone once read: its rows live in the job's chunk items.
    const bucket = process.env.CONTACTS_FILES_BUCKET!
    expect((await api.runtime.objects.keys(bucket)).filter((k) => k.startsWith('imports/'))).toEqual([])
    const thai = await api.call('GET', `/contacts?q=${encodeURIComponent('ใจดี3')}`, { token: viewer })
    expect(thai.body.items.map((c: { lastName: string }) => c.lastName)).toContain('ใจดี3')
    const welsh = await api.call('GET', '/contacts?q=row520@files.example', { token: viewer })
    expect(welsh.body.items).toEqual([
      expect.objectContaining({ firstName: 'Siân', lastName: 'Llewellyn-520' }),
    ])
    importedIds = []
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await api.call(
        'GET',
        `/contacts?tag=upload&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        {
          token: viewer,
        },
      )
      importedIds.push(...page.body.items.map((c: { id: string }) => c.id))
      cursor = page.body.nextCursor
    }
    expect(importedIds).toHaveLength(ROWS)
  }, 300_000)

  it('refuses a PUT with another content type than the one signed', async () => {
    const started = await api.call('POST', '/contacts/imports', { token: marketing, body: { upload: true } })
    const put = await fetch(started.body.upload.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'email\na@x.io\n',
    })
    expect(put.status).toBe(403)
    const job = await api.call('GET', started.headers.get('location')!, { token: marketing })
    expect(job.body.status).toBe('awaiting_upload')
  })

  it('fails the job with the reason when the file cannot be imported', async () => {
    const started = await api.call('POST', '/contacts/imports', { token: marketing, body: { upload: true } })
    const { upload } = started.body
    await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: 'firstName,shoeSize\nAnn,38\n' })
    const done = await finished(started.headers.get('location')!, marketing, 20_000)
    expect(done).toMatchObject({
      status: 'failed',
      total: 0,
      error: { field: 'csv', code: 'unknown_columns', message: expect.stringContaining('shoeSize') },
    })
  })

  it('exports the filtered set to S3 and the download is what GET /contacts/export answers', async () => {
    // Act
    const started = await api.call('POST', '/contacts/exports', {
      token: viewer,
      body: { format: 'csv', filters: { tag: 'cymru' } },
    })
    expect(started.status, started.text).toBe(201)
    const location = started.headers.get('location')!
    expect(location).toBe(`/contacts/exports/${started.body.id}`)
    const done = await finished(location, viewer, 60_000)
    // Assess
    expect(done).toMatchObject({ status: 'completed', format: 'csv', rows: ROWS / 4 })
    const file = await fetch(done.download.url)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-disposition')).toMatch(
      /^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"/,
    )
    const bytes = Buffer.from(await file.arrayBuffer())
    expect(bytes.length).toBe(done.bytes)
    const paged = await api.call('GET', '/contacts/export?format=csv&tag=cymru', { token: viewer })
    // fetch's text() drops the BOM both answers start with.
    expect(bytes.toString('utf8')).toBe(`\uFEFF${paged.text}`)
    const lines = bytes.toString('utf8').split('\r\n').filter(Boolean)
    expect(lines).toHaveLength(ROWS / 4 + 1)
    expect(lines.slice(1).every((l) => l.includes('cymru'))).toBe(true)
    // Each read of the job mints a fresh link.
    const again = await api.call('GET', location, { token: viewer })
    expect(again.headers.get('cache-control')).toBe('no-store')
    expect(again.body.download.url).toContain('X-Amz-Signature=')
  }, 90_000)

  it('exports every contact as JSON lines when no filter is given', async () => {
    const started = await api.call('POST', '/contacts/exports', { token: viewer, body: { format: 'jsonl' } })
    const done = await finished(started.headers.get('location')!, viewer, 60_000)
    expect(done).toMatchObject({ status: 'completed', rows: ROWS })
    const text = await (await fetch(done.download.url)).text()
    const ids = text
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id)
    expect(new Set(ids)).toEqual(new Set(importedIds))
  }, 90_000)
})
