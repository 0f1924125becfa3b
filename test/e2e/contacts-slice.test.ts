/**
 * The walking skeleton, end to end: a client writes contacts through the gateway, contacts' outbox
 * reaches the local bus through the stream publisher, and analytics' subscriber moves the count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from './harness.js'

let api: Api
let admin: string
let viewer: string
let otherTenant: string

beforeAll(async () => {
  api = await startApi()
  admin = await api.token('acme', ['admin'])
  viewer = await api.token('acme', ['viewer'])
  otherTenant = await api.token('globex', ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

/** The contact count as analytics' dashboard reports it (contactsTotal: created − deleted, fed by the bus). */
const summary = async (token: string) => {
  const dashboard = (await api.call('GET', '/analytics/dashboard', { token })).body
  return { contacts: { total: dashboard?.kpis?.contactsTotal?.value ?? 0 } }
}

describe('contacts → events → analytics', () => {
  it('answers /health without a token and serves the OpenAPI document', async () => {
    const health = await api.call('GET', '/health')
    expect(health.status).toBe(200)
    expect(health.body.status).toBe('ok')
    const doc = await api.call('GET', '/openapi.json')
    expect(doc.status).toBe(200)
    expect(doc.body.openapi).toMatch(/^3\.1/)
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/contacts', '/contacts/{id}']))
  })

  let id: string
  let etag: string

  it('creates a contact in any script and the count moves', async () => {
    const before = (await summary(admin))?.contacts?.total ?? 0
    // "Thai" written with a decomposed vowel + Welsh with a combining circumflex: stored NFC.
    const res = await api.call('POST', '/contacts', {
      token: admin,
      headers: { 'idempotency-key': 'create-somchai-1' },
      body: {
        firstName: 'สมชาย',
        lastName: 'Gwy\u0302n',
        emails: [{ address: 'Somchai@Example.COM', primary: true }],
        phones: [{ number: '+66 2 123 4567' }],
        companyName: 'Siam Trading',
        tags: ['vip'],
      },
    })
    expect(res.status, res.text).toBe(201)
    id = res.body.id
    expect(res.headers.get('location')).toBe(`/contacts/${id}`)
    expect(res.body.lastName).toBe('Gwŷn')
    expect(res.body.emails[0].address).toBe('somchai@example.com')
    etag = res.headers.get('etag')!
    expect(etag).toBeTruthy()

    const after = await eventually(async () => {
      const s = await summary(admin)
      return s?.contacts?.total === before + 1 ? s : undefined
    }, 3_000)
    expect(after?.contacts?.total).toBe(before + 1)
    // Another tenant's numbers do not move.
    expect((await summary(otherTenant))?.contacts?.total ?? 0).toBe(0)
  })

  it('replays a repeated Idempotency-Key instead of creating twice, and refuses it for another body', async () => {
    const body = { firstName: 'Dup', emails: [{ address: 'dup@example.com' }] }
    const headers = { 'idempotency-key': 'same-key-42' }
    const first = await api.call('POST', '/contacts', { token: admin, headers, body })
    const second = await api.call('POST', '/contacts', { token: admin, headers, body })
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(second.body.id).toBe(first.body.id)
    const other = await api.call('POST', '/contacts', { token: admin, headers, body: { firstName: 'Else' } })
    expect([409, 422]).toContain(other.status)
  })

  it('reads, updates with If-Match, refuses a stale version, and lists', async () => {
    const got = await api.call('GET', `/contacts/${id}`, { token: viewer })
    expect(got.status).toBe(200)
    expect(got.headers.get('etag')).toBe(etag)

    const patched = await api.call('PATCH', `/contacts/${id}`, {
      token: admin,
      headers: { 'if-match': etag },
      body: { tags: ['vip', 'partner'] },
    })
    expect(patched.status, patched.text).toBe(200)
    expect(patched.body.tags).toEqual(['vip', 'partner'])
    expect(patched.headers.get('etag')).not.toBe(etag)

    const stale = await api.call('PATCH', `/contacts/${id}`, {
      token: admin,
      headers: { 'if-match': etag },
      body: { companyName: 'Lost update' },
    })
    expect(stale.status).toBe(412)
    expect((await api.call('GET', `/contacts/${id}`, { token: admin })).body.companyName).toBe('Siam Trading')

    const list = await api.call('GET', '/contacts?limit=1', { token: viewer })
    expect(list.status).toBe(200)
    expect(list.body.items).toHaveLength(1)
    expect(list.body.nextCursor).toBeTruthy()
    const page2 = await api.call(
      'GET',
      `/contacts?limit=1&cursor=${encodeURIComponent(list.body.nextCursor)}`,
      {
        token: viewer,
      },
    )
    expect(page2.status).toBe(200)
    expect(page2.body.items[0].id).not.toBe(list.body.items[0].id)
  })

  it('rejects bad input with problem+json naming the field, and stores nothing', async () => {
    const res = await api.call('POST', '/contacts', {
      token: admin,
      body: { firstName: 'X', emails: [{ address: 'not-an-email' }], isAdmin: true },
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    const fields = res.body.errors.map((e: { field: string }) => e.field)
    expect(fields).toEqual(expect.arrayContaining(['emails.0.address', 'isAdmin']))
  })

  it('emits Contact.Created/Updated/Deleted on the bus, and the count goes back down on delete', async () => {
    const before = (await summary(admin)).contacts.total
    const del = await api.call('DELETE', `/contacts/${id}`, { token: admin })
    expect(del.status).toBe(204)
    expect((await api.call('GET', `/contacts/${id}`, { token: admin })).status).toBe(404)
    const after = await eventually(async () => {
      const s = await summary(admin)
      return s.contacts.total === before - 1 ? s : undefined
    }, 3_000)
    expect(after?.contacts.total).toBe(before - 1)
    const seen = await api.call('GET', '/_local/events')
    const types = (seen.body.items ?? seen.body)
      .filter((e: any) => e.detail?.data?.id === id || e.detail?.data?.contact?.id === id)
      .map((e: any) => e['detail-type'])
    expect(types).toEqual(expect.arrayContaining(['Contact.Created', 'Contact.Updated', 'Contact.Deleted']))
  })
})
