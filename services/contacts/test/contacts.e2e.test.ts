/**
 * Issue #3 end to end through the local gateway: one contact per email, companies, custom fields,
 * interactions and the timeline, search in any script, consent, and the events on the bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, eventually, startApi } from '../../../test/e2e/harness.js'

let api: Api
let admin: string
let sales: string
let viewer: string
let stranger: string

beforeAll(async () => {
  api = await startApi({ only: ['contacts'] })
  admin = await api.token('acme', ['admin'])
  sales = await api.token('acme', ['sales'])
  viewer = await api.token('acme', ['viewer'])
  stranger = await api.token('globex', ['admin'])
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

const busTypes = async (id: string) => {
  const seen = await api.call('GET', '/_local/events')
  return (
    (seen.body.items ?? seen.body) as {
      'detail-type': string
      detail?: { data?: { id?: string; contactId?: string } }
    }[]
  )
    .filter((e) => e.detail?.data?.id === id || e.detail?.data?.contactId === id)
    .map((e) => e['detail-type'])
}

describe('one contact per email', () => {
  it('answers 409 with existingId for an email another contact has, in any case; delete frees it', async () => {
    // Prepare
    const first = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Nia', emails: [{ address: 'nia@cymru.example' }] },
    })
    expect(first.status, first.text).toBe(201)
    // Act
    const dup = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Nia again', emails: [{ address: 'NIA@Cymru.Example' }] },
    })
    // Assess
    expect(dup.status).toBe(409)
    expect(dup.headers.get('content-type')).toContain('application/problem+json')
    expect(dup.body.existingId).toBe(first.body.id)
    // Another tenant has its own address book.
    expect(
      (
        await api.call('POST', '/contacts', {
          token: stranger,
          body: { firstName: 'Nia', emails: [{ address: 'nia@cymru.example' }] },
        })
      ).status,
    ).toBe(201)
    // Delete frees the address.
    expect((await api.call('DELETE', `/contacts/${first.body.id}`, { token: admin })).status).toBe(204)
    const again = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Nia', emails: [{ address: 'nia@cymru.example' }] },
    })
    expect(again.status, again.text).toBe(201)
  })
})

describe('the contact model', () => {
  it('stores E.164 phones with the request region, lifecycle and tier, and refuses an invalid phone naming it', async () => {
    const res = await api.call('POST', '/contacts', {
      token: sales,
      body: {
        firstName: 'สมหญิง',
        phones: [{ number: '081 234 5678', label: 'mobile' }],
        addresses: [{ line1: '99 Sukhumvit Rd', city: 'Bangkok', country: 'th' }],
        jobTitle: 'Owner',
        source: 'Siam Paragon pop-up',
        channel: 'walk_in',
        defaultRegion: 'TH',
      },
    })
    expect(res.status, res.text).toBe(201)
    expect(res.body).toMatchObject({
      phones: [{ number: '+66812345678', label: 'mobile' }],
      addresses: [{ country: 'TH' }],
      lifecycleStage: 'lead',
      tier: 'C',
    })
    expect(res.body).not.toHaveProperty('defaultRegion')
    const bad = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'X', phones: [{ number: '081 234' }], defaultRegion: 'TH' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors[0].field).toBe('phones.0.number')
  })
})

describe('custom fields', () => {
  it('validates contact writes against the definitions, naming customFields.<key>', async () => {
    // Prepare
    const put = await api.call('PUT', '/settings/contact-fields', {
      token: admin,
      body: {
        fields: [
          { key: 'shoeSize', label: 'Shoe size', type: 'number' },
          { key: 'interests', label: 'Interests', type: 'multiselect', options: ['golf', 'tennis'] },
        ],
      },
    })
    expect(put.status, put.text).toBe(200)
    expect(
      (await api.call('PUT', '/settings/contact-fields', { token: sales, body: { fields: [] } })).status,
    ).toBe(403)
    // Act
    const bad = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Fi', customFields: { shoeSize: 'big', interests: ['chess'] } },
    })
    const good = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Fi', customFields: { shoeSize: 42, interests: ['golf'] } },
    })
    // Assess
    expect(bad.status).toBe(400)
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customFields.interests',
      'customFields.shoeSize',
    ])
    expect(good.status, good.text).toBe(201)
    const patched = await api.call('PATCH', `/contacts/${good.body.id}`, {
      token: sales,
      body: { customFields: { shoeSize: null } },
    })
    expect(patched.body.customFields).toEqual({ interests: ['golf'] })
    const got = await api.call('GET', '/settings/contact-fields', { token: viewer })
    expect(got.body.fields).toHaveLength(2)
    expect(got.headers.get('etag')).toBe('"1"')
  })
})

describe('companies', () => {
  it("links contacts with a role, lists a company's contacts, and refuses to delete it while linked", async () => {
    // Prepare
    const company = await api.call('POST', '/companies', {
      token: sales,
      body: { name: 'Siam Trading', domain: 'Siam.Example' },
    })
    expect(company.status, company.text).toBe(201)
    expect(company.headers.get('location')).toBe(`/companies/${company.body.id}`)
    const cid = company.body.id
    // Act
    const member = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Anan', companies: [{ companyId: cid, role: 'Purchasing' }] },
    })
    const unknown = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Lost', companies: [{ companyId: '01JZZZZZZZZZZZZZZZZZZZZZZZ' }] },
    })
    // Assess
    expect(member.status, member.text).toBe(201)
    expect(unknown.status).toBe(400)
    expect(unknown.body.errors[0].field).toBe('companies.0.companyId')
    const listed = await api.call('GET', `/companies/${cid}/contacts`, { token: viewer })
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([member.body.id])
    expect((await api.call('GET', `/contacts?companyId=${cid}`, { token: viewer })).body.items).toHaveLength(
      1,
    )
    expect((await api.call('DELETE', `/companies/${cid}`, { token: admin })).status).toBe(409)
    expect((await api.call('GET', `/companies/${cid}/contacts`, { token: stranger })).status).toBe(404)
    // Unlink, then delete.
    const unlink = await api.call('PATCH', `/contacts/${member.body.id}`, {
      token: sales,
      body: { companies: [] },
    })
    expect(unlink.status, unlink.text).toBe(200)
    const renamed = await api.call('PATCH', `/companies/${cid}`, {
      token: sales,
      body: { name: 'Siam Trading Co.' },
    })
    expect(renamed.body).toMatchObject({ name: 'Siam Trading Co.', domain: 'siam.example', version: 2 })
    expect((await api.call('DELETE', `/companies/${cid}`, { token: admin })).status).toBe(204)
    const types = await eventually(async () => {
      const t = await busTypes(cid)
      return t.length >= 3 ? t : undefined
    }, 5_000)
    expect(types).toEqual(expect.arrayContaining(['Company.Created', 'Company.Updated', 'Company.Deleted']))
  })
})

describe('interactions and the timeline', () => {
  it('logs interactions, shows them with the changes newest first, and a purchase makes the contact tier A', async () => {
    // Prepare
    const c = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Tian', channel: 'web' },
    })
    const id = c.body.id
    expect(c.body.tier).toBe('C')
    // Act
    const call = await api.call('POST', `/contacts/${id}/interactions`, {
      token: sales,
      body: {
        type: 'call',
        direction: 'inbound',
        summary: 'Asked about prices',
        occurredAt: '2025-03-01T10:00:00.000Z',
      },
    })
    const buy = await api.call('POST', `/contacts/${id}/interactions`, {
      token: sales,
      body: {
        type: 'purchase',
        channel: 'shop',
        summary: 'Bought a kettle',
        amount: { amountMinor: 129900, currency: 'THB' },
      },
    })
    // Assess
    expect(call.status, call.text).toBe(201)
    expect(call.headers.get('location')).toBe(`/contacts/${id}/interactions/${call.body.id}`)
    expect((await api.call('GET', call.headers.get('location')!, { token: viewer })).body.summary).toBe(
      'Asked about prices',
    )
    expect(buy.status, buy.text).toBe(201)
    const after = await api.call('GET', `/contacts/${id}`, { token: viewer })
    expect(after.body).toMatchObject({ tier: 'A', purchaseCount: 1 })
    const page1 = await api.call('GET', `/contacts/${id}/timeline?limit=2`, { token: viewer })
    const page2 = await api.call(
      'GET',
      `/contacts/${id}/timeline?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor)}`,
      { token: viewer },
    )
    const kinds = (p: { body: { items: { kind: string }[] } }) => p.body.items.map((e) => e.kind)
    // The purchase and the update it caused happened in the same instant; then the creation; the older call last.
    expect(kinds(page1).sort()).toEqual(['interaction', 'updated'])
    expect(kinds(page2)).toEqual(['created', 'interaction'])
    expect(page2.body.items.at(-1).interaction.summary).toBe('Asked about prices')
    expect((await api.call('GET', `/contacts/${id}/timeline`, { token: stranger })).status).toBe(404)
    const types = await eventually(async () => {
      const t = await busTypes(id)
      // Both come from one transaction, but the bus delivers them independently.
      return t.includes('Interaction.Logged') && t.includes('Contact.Updated') ? t : undefined
    }, 5_000)
    expect(types).toEqual(expect.arrayContaining(['Interaction.Logged', 'Contact.Updated']))
  })
})

describe('search', () => {
  it('finds by name, email and phone prefixes, ignoring case, accents and width, Thai included', async () => {
    // Prepare
    const made: Record<string, string> = {}
    for (const [key, body] of Object.entries({
      jose: {
        firstName: 'José',
        lastName: 'Núñez',
        emails: [{ address: 'jose.nunez@mercado.example' }],
        tags: ['VIP'],
      },
      thai: { firstName: 'สมชายใจดี', phones: [{ number: '+66 2 123 4567' }], lifecycleStage: 'customer' },
    })) {
      const res = await api.call('POST', '/contacts', { token: sales, body })
      expect(res.status, res.text).toBe(201)
      made[key] = res.body.id
    }
    const find = async (query: string) =>
      (await api.call('GET', `/contacts?${query}`, { token: viewer })).body.items.map(
        (c: { id: string }) => c.id,
      )
    // Act + Assess
    expect(await find('q=NUNEZ')).toEqual([made.jose])
    expect(await find(`q=${encodeURIComponent('ｊｏｓé')}`)).toEqual([made.jose])
    expect(await find(`q=${encodeURIComponent('jose.nunez@merc')}`)).toEqual([made.jose])
    expect(await find(`q=${encodeURIComponent('ใจดี')}`)).toEqual([made.thai])
    expect(await find('q=021234')).toEqual([made.thai])
    expect(await find('q=jose&tag=vip')).toEqual([made.jose])
    expect(await find('q=jose&tag=other')).toEqual([])
    expect(await find('lifecycleStage=customer')).toEqual([made.thai])
    expect(await find('owner=u-acme&q=somebody-else')).toEqual([])
    expect((await api.call('GET', '/contacts?q=j', { token: viewer })).status).toBe(400)
    expect((await api.call('GET', '/contacts?sort=name', { token: viewer })).status).toBe(400)
  })
})

describe('consent', () => {
  it('records consent per channel and publishes Contact.ConsentChanged', async () => {
    const c = await api.call('POST', '/contacts', { token: sales, body: { firstName: 'Cara' } })
    const res = await api.call('POST', `/contacts/${c.body.id}/consent`, {
      token: sales,
      body: { channel: 'email', status: 'granted', source: 'newsletter form', legalBasis: 'consent' },
    })
    expect(res.status, res.text).toBe(200)
    expect(res.body.consent.email).toMatchObject({
      status: 'granted',
      source: 'newsletter form',
      legalBasis: 'consent',
    })
    expect(res.body.tier).toBe('B')
    expect(res.headers.get('etag')).toBe('"2"')
    const types = await eventually(async () => {
      const t = await busTypes(c.body.id)
      return t.includes('Contact.ConsentChanged') ? t : undefined
    }, 5_000)
    expect(types).toContain('Contact.ConsentChanged')
  })
})

describe('duplicates, merge, export, erasure', () => {
  it('suggests a duplicate, merges it with Contact.Merged, exports everything, then erases with Contact.Erased', async () => {
    // Prepare: the same person typed three times at the same company, and a namesake elsewhere
    const person = (firstName: string, lastName: string, address: string, more: object = {}) =>
      api.call('POST', '/contacts', {
        token: sales,
        body: { firstName, lastName, companyName: 'Llyfrau Cymru', emails: [{ address }], ...more },
      })
    const a = await person('Dafydd', 'Ap Gwilym', 'dafydd@x.example')
    const b = await person('DAFYDD', 'AP GWILYM', 'dg@y.example', { tags: ['poet'] })
    const c = await person('D.', 'ap Gwilym', 'dag@z.example', { jobTitle: 'Bardd' })
    const namesake = await person('Dafydd', 'ap Gwilym', 'other@w.example', { companyName: 'Other Ltd' })
    await api.call('POST', `/contacts/${b.body.id}/interactions`, {
      token: sales,
      body: { type: 'note', summary: 'Prefers Welsh' },
    })
    // Act + Assess: the pair is suggested
    const dups = await api.call('GET', '/contacts/duplicates', { token: viewer })
    expect(dups.status, dups.text).toBe(200)
    const ids = [a, b, c].map((r) => r.body.id)
    const pairs = dups.body.items
      .filter((p: { contacts: { id: string }[] }) => p.contacts.some((x) => ids.includes(x.id)))
      .map((p: { contacts: { id: string }[]; reasons: string[]; score: number }) => ({
        ids: p.contacts.map((x) => x.id).sort(),
        reasons: p.reasons,
        score: p.score,
      }))
    expect(pairs).toEqual(
      expect.arrayContaining([
        { ids: [a.body.id, b.body.id].sort(), reasons: ['name_company'], score: 0.95 },
        { ids: [a.body.id, c.body.id].sort(), reasons: ['name_company'], score: 0.86 },
      ]),
    )
    expect(JSON.stringify(dups.body)).not.toContain(namesake.body.id)
    expect(
      (
        await api.call('POST', `/contacts/${a.body.id}/merge`, {
          token: sales,
          body: { sourceIds: [b.body.id] },
        })
      ).status,
    ).toBe(403)
    // Bad input names the field and writes nothing.
    const bad = await api.call('POST', `/contacts/${a.body.id}/merge`, {
      token: admin,
      body: { sourceIds: [b.body.id, '01JD3Y0C6Z8R4F2G9QK7WXN5TB'] },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'sourceIds.1', code: 'not_found' })])
    expect((await api.call('GET', `/contacts/${b.body.id}`, { token: admin })).status).toBe(200)
    const merged = await api.call('POST', `/contacts/${a.body.id}/merge`, {
      token: admin,
      body: { sourceIds: [b.body.id, c.body.id] },
    })
    expect(merged.status, merged.text).toBe(200)
    expect(merged.body.emails.map((e: { address: string }) => e.address)).toEqual([
      'dafydd@x.example',
      'dg@y.example',
      'dag@z.example',
    ])
    expect(merged.body).toMatchObject({ tags: ['poet'], jobTitle: 'Bardd', version: 3 })
    for (const gone of [b, c]) {
      expect((await api.call('GET', `/contacts/${gone.body.id}`, { token: admin })).status).toBe(404)
    }
    // One Contact.Merged per source, naming the survivor and the merged-away contact.
    const mergedEvents = await eventually(async () => {
      const seen = await api.call('GET', '/_local/events')
      const found = ((seen.body.items ?? seen.body) as { 'detail-type': string; detail: { data: any } }[])
        .filter((e) => e['detail-type'] === 'Contact.Merged' && e.detail.data.id === a.body.id)
        .map((e) => ({ sourceId: e.detail.data.sourceId, version: e.detail.data.version }))
      return found.length === 2 ? found : undefined
    }, 5_000)
    expect(mergedEvents).toEqual(
      expect.arrayContaining([
        { sourceId: b.body.id, version: 2 },
        { sourceId: c.body.id, version: 3 },
      ]),
    )
    expect(
      (await api.call('GET', '/contacts/duplicates', { token: viewer })).body.items.filter(
        (p: { contacts: { id: string }[] }) => p.contacts.some((c) => c.id === a.body.id),
      ),
    ).toEqual([])
    // Export: the contact, and the history of both.
    const exported = await api.call('GET', `/contacts/${a.body.id}/export`, { token: viewer })
    expect(exported.status).toBe(200)
    expect(exported.body.contact.id).toBe(a.body.id)
    expect(exported.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['merged', 'interaction', 'created']),
    )
    // Erase: gone, history gone, address free, Contact.Erased published.
    expect((await api.call('DELETE', `/contacts/${a.body.id}?erase=true`, { token: admin })).status).toBe(204)
    expect((await api.call('GET', `/contacts/${a.body.id}/export`, { token: admin })).status).toBe(404)
    const reuse = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'New', emails: [{ address: 'dg@y.example' }] },
    })
    expect(reuse.status, reuse.text).toBe(201)
    const types = await eventually(async () => {
      const t = await busTypes(a.body.id)
      return t.includes('Contact.Erased') && t.includes('Contact.Merged') ? t : undefined
    }, 5_000)
    expect(types).toEqual(expect.arrayContaining(['Contact.Merged', 'Contact.Erased']))
  })
})

describe('CSV import', () => {
  it('imports rows as contacts in the background, reporting duplicates and bad rows per row', async () => {
    // Prepare: one row's email exists already
    const existing = await api.call('POST', '/contacts', {
      token: sales,
      body: { firstName: 'Ploy', emails: [{ address: 'ploy@example.th' }] },
    })
    const marketing = await api.token('acme', ['marketing'])
    const csv = [
      'firstName,lastName,email,phone,tags,lifecycleStage',
      'Kanya,Srisuk,kanya@example.th,02 123 4567,vip;bangkok,subscriber',
      'Ploy,Again,ploy@example.th,,,',
      'Bad,Phone,,123,,',
    ].join('\n')
    // Act
    const started = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { csv, defaultRegion: 'TH' },
    })
    // Assess
    expect(started.status, started.text).toBe(201)
    expect(started.body).toMatchObject({ status: 'queued', total: 3 })
    const done = await eventually(async () => {
      const job = await api.call('GET', started.headers.get('location')!, { token: marketing })
      return job.body?.status === 'completed' ? job.body : undefined
    }, 10_000)
    // Upsert by email: Ploy's row is merged into the contact that has her address.
    expect(done).toMatchObject({ processed: 3, created: 1, updated: 1, skipped: 0, failed: 1 })
    expect(done.errors).toEqual([expect.objectContaining({ row: 3, field: 'phones.0.number' })])
    const ploy = await api.call('GET', `/contacts/${existing.body.id}`, { token: viewer })
    expect(ploy.body).toMatchObject({ firstName: 'Ploy', lastName: 'Again' })
    const found = await api.call('GET', '/contacts?q=kanya', { token: viewer })
    expect(found.body.items[0]).toMatchObject({
      lastName: 'Srisuk',
      phones: [{ number: '+6621234567' }],
      tags: ['vip', 'bangkok'],
      lifecycleStage: 'subscriber',
      tier: 'B',
      channel: 'import',
    })
    const badHeader = await api.call('POST', '/contacts/imports', {
      token: marketing,
      body: { csv: 'name\nX' },
    })
    expect(badHeader.status).toBe(400)
    expect(badHeader.body.errors[0].field).toBe('csv')
    expect((await api.call('POST', '/contacts/imports', { token: sales, body: { csv } })).status).toBe(403)
  })
})
