import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { CreateContact } from '@relay/contracts/contacts'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { Invalid, StaleVersion } from '@relay/core/outcomes'
import { ulid } from 'ulid'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { buildCompany } from '../src/domain/company.js'
import { applyConsent, applyPatch, applyPurchase, buildContact, diffContacts } from '../src/domain/contact.js'
import { buildInteraction } from '../src/domain/interaction.js'
import { CompanyInUse, EmailTaken } from '../src/domain/outcomes.js'
import { manifest } from '../src/service.js'
import { getCompany, insertCompany, removeCompanyIfUnused } from '../src/store/companies.js'
import {
  getContact,
  insertContact,
  recordConsent,
  removeContact,
  replaceContact,
} from '../src/store/contacts.js'
import { insertInteraction } from '../src/store/interactions.js'
import { searchContacts } from '../src/store/search.js'
import { listTimeline } from '../src/store/timeline.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2025-01-01T00:00:00.000Z'
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`
const make = (input: unknown, ownerId = 'u-1') =>
  buildContact(CreateContact.parse(input), { id: newId(), ownerId, now: NOW, region: 'TH' })
const failure = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e)

describe('contacts store on DynamoDB Local: email guards, search and filters, company links, timeline, consent', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  it('lets exactly one of many concurrent creates with the same email win; the others get 409 + existingId', async () => {
    // Prepare
    const t = tenant()
    const contenders = Array.from({ length: 8 }, (_, i) =>
      make({ firstName: `C${i}`, emails: [{ address: i % 2 ? 'Same@Example.com' : 'same@example.com' }] }),
    )
    // Act
    const results = await Promise.all(contenders.map((c) => failure(insertContact(t, c, 'corr'))))
    // Assess
    const winners = contenders.filter((_, i) => results[i] === undefined)
    expect(winners).toHaveLength(1)
    for (const err of results.filter((r) => r !== undefined)) {
      expect(err).toBeInstanceOf(EmailTaken)
      expect(err).toMatchObject({ existingId: winners[0]!.id, extra: { existingId: winners[0]!.id } })
    }
  })

  it('moves guards with the emails on update, and frees them on delete', async () => {
    // Prepare
    const t = tenant()
    const a = make({ firstName: 'A', emails: [{ address: 'old@x.io' }] })
    await insertContact(t, a, 'corr')
    const moved = applyPatch(a, { emails: [{ address: 'new@x.io' }] }, NOW)
    // Act
    await replaceContact(t, a, moved, diffContacts(a, moved), 'corr')
    // Assess: the old address is free, the new one is taken
    await insertContact(t, make({ firstName: 'B', emails: [{ address: 'old@x.io' }] }), 'corr')
    const taken = await failure(
      insertContact(t, make({ firstName: 'C', emails: [{ address: 'new@x.io' }] }), 'corr'),
    )
    expect(taken).toBeInstanceOf(EmailTaken)
    expect(taken).toMatchObject({ existingId: a.id, extra: { existingId: a.id } })
    // An update to an email another contact has is refused too, and changes nothing.
    const b2 = make({ firstName: 'D', emails: [{ address: 'd@x.io' }] })
    await insertContact(t, b2, 'corr')
    const clash = applyPatch(b2, { emails: [{ address: 'new@x.io' }] }, NOW)
    const clashed = await failure(replaceContact(t, b2, clash, diffContacts(b2, clash), 'corr'))
    expect(clashed).toBeInstanceOf(EmailTaken)
    expect(clashed).toMatchObject({ extra: { existingId: a.id, field: 'emails.0.address' } })
    expect((await getContact(t, b2.id))?.emails[0]?.address).toBe('d@x.io')
    // Delete frees the address.
    await removeContact(t, moved, 'corr')
    await insertContact(t, make({ firstName: 'E', emails: [{ address: 'new@x.io' }] }), 'corr')
  })

  it('finds contacts by name, email and phone prefixes, accents, case and Thai words, and reads its own writes', async () => {
    // Prepare
    const t = tenant()
    const jose = make({ firstName: 'José', lastName: 'Núñez', emails: [{ address: 'jose@acme.example' }] })
    const somchai = make({ firstName: 'สมชายใจดี', phones: [{ number: '081 234 5678' }] })
    const other = make({ firstName: 'Joanna' })
    for (const c of [jose, somchai, other]) await insertContact(t, c, 'corr')
    const ids = async (q: string) => (await searchContacts(t, { q })).items.map((c) => c.id).sort()
    // Act + Assess
    expect(await ids('JOSE')).toEqual([jose.id])
    expect(await ids('jo')).toEqual([jose.id, other.id].sort())
    expect(await ids('núñ jos')).toEqual([jose.id])
    expect(await ids('jose@ac')).toEqual([jose.id])
    // A longer prefix of an address finds it even when the name is in another script (issue 8).
    const thaiMail = make({
      firstName: 'สมชาย',
      lastName: 'ใจดี',
      emails: [{ address: 'somchai.jaidee@example.co.th' }],
    })
    await insertContact(t, thaiMail, 'corr')
    expect(await ids('somchai.jai')).toEqual([thaiMail.id])
    expect(await ids('somchai.jaidee@')).toEqual([thaiMail.id])
    expect(await ids('somchai jai')).toEqual([])
    await removeContact(t, thaiMail, 'corr')
    expect(await ids('ใจดี')).toEqual([somchai.id])
    expect(await ids('0812')).toEqual([somchai.id])
    expect(await ids('+66 81 234')).toEqual([somchai.id])
    expect(await searchContacts(tenant(), { q: 'jose' })).toEqual({ items: [] })
    // A rename is searchable at once, the old name no longer.
    const renamed = applyPatch(other, { firstName: 'Zofia' }, NOW)
    await replaceContact(t, other, renamed, diffContacts(other, renamed), 'corr')
    expect(await ids('zof')).toEqual([other.id])
    expect(await ids('joa')).toEqual([])
  })

  it('filters by owner, lifecycle stage, tag and company, and pages with a cursor', async () => {
    // Prepare
    const t = tenant()
    const company = buildCompany({ name: 'Siam Trading' }, { id: newId(), ownerId: 'u-1', now: NOW })
    await insertCompany(t, company, 'corr')
    const made = []
    for (let i = 0; i < 5; i++) {
      const c = make(
        {
          firstName: `P${i}`,
          lifecycleStage: i % 2 ? 'customer' : 'lead',
          tags: i < 2 ? ['VIP'] : [],
          companies: i < 3 ? [{ companyId: company.id, role: 'Buyer' }] : [],
        },
        i < 4 ? 'owner-a' : 'owner-b',
      )
      await insertContact(t, c, 'corr')
      made.push(c)
    }
    // Act
    const byOwner = await searchContacts(t, { owner: 'owner-a', limit: 3 })
    const byOwner2 = await searchContacts(t, { owner: 'owner-a', limit: 3, cursor: byOwner.nextCursor })
    const customers = await searchContacts(t, { lifecycleStage: 'customer' })
    const vip = await searchContacts(t, { tag: 'vip' })
    const members = await searchContacts(t, { companyId: company.id, lifecycleStage: 'lead' })
    // Assess
    expect(byOwner.items.map((c) => c.firstName)).toEqual(['P3', 'P2', 'P1'])
    expect(byOwner2.items.map((c) => c.firstName)).toEqual(['P0'])
    expect(byOwner2.nextCursor).toBeUndefined()
    expect(customers.items.map((c) => c.firstName)).toEqual(['P3', 'P1'])
    expect(vip.items.map((c) => c.firstName)).toEqual(['P1', 'P0'])
    expect(members.items.map((c) => c.firstName)).toEqual(['P2', 'P0'])
    expect(await failure(removeCompanyIfUnused(t, company.id, company.version, 'corr'))).toBeInstanceOf(
      CompanyInUse,
    )
    expect(await getCompany(t, company.id)).toBeDefined()
  })

  it('deletes an unused company, but not one a contact links to between its check and its delete', async () => {
    const t = tenant()
    const unused = buildCompany({ name: 'Gone Ltd' }, { id: newId(), ownerId: 'u-1', now: NOW })
    const raced = buildCompany({ name: 'Raced Ltd' }, { id: newId(), ownerId: 'u-1', now: NOW })
    await insertCompany(t, unused, 'corr')
    await insertCompany(t, raced, 'corr')
    await removeCompanyIfUnused(t, unused.id, unused.version, 'corr')
    expect(await getCompany(t, unused.id)).toBeUndefined()
    // A contact links to `raced` right after the delete found no members, before the delete commits.
    const joiner = make({ firstName: 'Late', companies: [{ companyId: raced.id }] })
    const client = documentClient()
    const send = client.send.bind(client)
    let linked = false
    const spy = vi.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
      const out = await send(command as never)
      const values = (command as QueryCommand).input?.ExpressionAttributeValues
      if (!linked && command instanceof QueryCommand && values?.[':m'] === 'MEMBER#') {
        linked = true
        await insertContact(t, joiner, 'corr')
      }
      return out
    }) as never)
    try {
      expect(await failure(removeCompanyIfUnused(t, raced.id, raced.version, 'corr'))).toBeInstanceOf(
        StaleVersion,
      )
    } finally {
      spy.mockRestore()
    }
    expect(linked).toBe(true)
    expect(await getCompany(t, raced.id)).toMatchObject({ id: raced.id, name: 'Raced Ltd' })
    expect((await getContact(t, joiner.id))?.companies).toEqual([{ companyId: raced.id }])
  })

  it('refuses a link to a company that does not exist, inside the transaction', async () => {
    const t = tenant()
    const c = make({ firstName: 'Lonely', companies: [{ companyId: newId() }] })
    const refused = await failure(insertContact(t, c, 'corr'))
    expect(refused).toBeInstanceOf(Invalid)
    expect(refused).toMatchObject({ errors: [{ field: 'companies.0.companyId', code: 'unknown_company' }] })
    expect(await getContact(t, c.id)).toBeUndefined()
  })

  it('keeps a timeline newest first: interactions by when they happened, and the changes; a purchase moves the tier', async () => {
    // Prepare
    const t = tenant()
    const c = make({ firstName: 'Tim' })
    await insertContact(t, c, 'corr')
    const log = async (type: 'call' | 'purchase', at: string) => {
      const current = (await getContact(t, c.id))!
      const i = buildInteraction(
        { type, summary: `${type} at ${at}`, occurredAt: at },
        { id: ulid(Date.parse(at)), contactId: c.id, loggedBy: 'u-1', now: NOW },
      )
      const after = type === 'purchase' ? applyPurchase(current, at, NOW) : undefined
      await insertInteraction(
        t,
        current,
        i,
        'corr',
        after ? { after, changes: diffContacts(current, after) } : undefined,
      )
    }
    // Act
    await log('call', '2024-06-01T00:00:00.000Z')
    await log('purchase', '2024-07-01T00:00:00.000Z')
    await log('call', '2024-05-01T00:00:00.000Z')
    const first = await listTimeline(t, c.id, { limit: 3 })
    const rest = await listTimeline(t, c.id, { limit: 3, cursor: first.nextCursor })
    // Assess
    const all = [...first.items, ...rest.items]
    expect(all.map((e) => e.kind)).toEqual([
      'updated',
      'created',
      'interaction',
      'interaction',
      'interaction',
    ])
    expect(all.filter((e) => e.kind === 'interaction').map((e) => e.occurredAt)).toEqual([
      '2024-07-01T00:00:00.000Z',
      '2024-06-01T00:00:00.000Z',
      '2024-05-01T00:00:00.000Z',
    ])
    expect(await getContact(t, c.id)).toMatchObject({ tier: 'A', purchaseCount: 1, version: 2 })
  })

  it('records consent at the contact version with a timeline entry', async () => {
    const t = tenant()
    const c = make({ firstName: 'Con' })
    await insertContact(t, c, 'corr')
    const { contact, before, after } = applyConsent(
      c,
      { channel: 'sms', status: 'denied', source: 'call centre', legalBasis: 'consent' },
      NOW,
    )
    await recordConsent(t, c, contact, { channel: 'sms', before, after }, 'corr', 'u-1')
    expect((await getContact(t, c.id))?.consent?.sms).toMatchObject({ status: 'denied' })
    expect((await listTimeline(t, c.id, {})).items[0]).toMatchObject({ kind: 'consent' })
  })
})
