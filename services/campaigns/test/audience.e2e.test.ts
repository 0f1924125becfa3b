/**
 * Through the local gateway and bus: contacts created (and opted in or out) in the contacts service
 * reach campaigns' audience projection by their events, and a segment's preview counts only those a
 * campaign may email: consent granted, not suppressed, not erased.
 */
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
const tenant = `aud-${newId().slice(-6).toLowerCase()}`

beforeAll(async () => {
  api = await startApi()
  admin = await api.token(tenant, ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

async function contact(firstName: string, email: string, consent?: 'granted' | 'denied'): Promise<string> {
  const created = await api.call('POST', '/contacts', {
    token: admin,
    body: { firstName, emails: [{ address: email }], tags: ['VIP'] },
  })
  expect(created.status, created.text).toBe(201)
  const id = created.body.id as string
  if (consent) {
    const recorded = await api.call('POST', `/contacts/${id}/consent`, {
      token: admin,
      body: { channel: 'email', status: consent, source: 'signup form', legalBasis: 'consent' },
    })
    expect(recorded.status, recorded.text).toBe(200)
  }
  return id
}

const preview = async (segmentId: string) =>
  (await api.call('GET', `/segments/${segmentId}/preview?sample=5`, { token: admin })).body

describe('segment preview over contacts’ events', () => {
  let segmentId: string
  let ann: string

  it('shows a contact who opted in, and not one who opted out or never did', async () => {
    ann = await contact('Ann', 'ann@aud.example', 'granted')
    await contact('Bob', 'bob@aud.example', 'denied')
    await contact('Cid', 'cid@aud.example')
    const segment = await api.call('POST', '/segments', {
      token: admin,
      body: { name: 'VIPs', rule: { type: 'tag', op: 'hasAny', values: ['vip'] } },
    })
    expect(segment.status, segment.text).toBe(201)
    segmentId = segment.body.id
    const p = await eventually(async () => {
      const body = await preview(segmentId)
      return body?.matched === 3 && body.count === 1 ? body : undefined
    }, 15_000)
    expect(p, JSON.stringify(await preview(segmentId))).toMatchObject({
      count: 1,
      matched: 3,
      excluded: { noConsent: 2, suppressed: 0 },
      sample: [{ contactId: ann, email: 'ann@aud.example', firstName: 'Ann' }],
    })
    // The same rule not saved yet: the same answer, without a segment id.
    const unsaved = await api.call('POST', '/segments/preview', {
      token: admin,
      body: { rule: { type: 'tag', op: 'hasAll', values: ['VIP'] }, sample: 1 },
    })
    expect(unsaved.status, unsaved.text).toBe(200)
    expect(unsaved.body).toMatchObject({ count: 1, matched: 3, sample: [{ contactId: ann }] })
    expect(unsaved.body.segmentId).toBeUndefined()
  }, 30_000)

  it('drops a contact whose consent is withdrawn in contacts, or whose address is suppressed', async () => {
    const withdrawn = await api.call('POST', `/contacts/${ann}/consent`, {
      token: admin,
      body: { channel: 'email', status: 'withdrawn', source: 'phone call', legalBasis: 'consent' },
    })
    expect(withdrawn.status, withdrawn.text).toBe(200)
    expect(await eventually(async () => (await preview(segmentId))?.count === 0, 15_000)).toBe(true)
    await api.call('POST', `/contacts/${ann}/consent`, {
      token: admin,
      body: { channel: 'email', status: 'granted', source: 'signup form', legalBasis: 'consent' },
    })
    expect(await eventually(async () => (await preview(segmentId))?.count === 1, 15_000)).toBe(true)
    const suppressed = await api.call('POST', '/suppressions', {
      token: admin,
      body: { email: 'ANN@aud.example' },
      headers: { 'idempotency-key': newId() },
    })
    expect(suppressed.status, suppressed.text).toBe(201)
    expect(suppressed.body).toMatchObject({ email: 'ann@aud.example', reason: 'manual' })
    expect(await preview(segmentId)).toMatchObject({ count: 0, excluded: { suppressed: 1 } })
    const lifted = await api.call('DELETE', `/suppressions/${encodeURIComponent('ann@aud.example')}`, {
      token: admin,
    })
    expect(lifted.status, lifted.text).toBe(204)
    expect((await preview(segmentId)).count).toBe(1)
  }, 45_000)

  it('forgets an erased contact, and another tenant sees neither the segment nor the audience', async () => {
    const other = await api.token(`${tenant}-x`, ['admin'])
    expect((await api.call('GET', `/segments/${segmentId}/preview`, { token: other })).status).toBe(404)
    const erased = await api.call('DELETE', `/contacts/${ann}?erase=true`, { token: admin })
    expect(erased.status, erased.text).toBe(204)
    const p = await eventually(async () => {
      const body = await preview(segmentId)
      return body?.matched === 2 ? body : undefined
    }, 15_000)
    expect(p).toMatchObject({ count: 0, matched: 2, sample: [] })
  }, 30_000)
})
