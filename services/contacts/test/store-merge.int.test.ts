import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { CreateContact } from '@relay/contracts/contacts'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { ulid } from 'ulid'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { buildContact, diffContacts } from '../src/domain/contact.js'
import { buildInteraction } from '../src/domain/interaction.js'
import { mergeContacts } from '../src/domain/merge.js'
import { EmailTaken } from '../src/domain/outcomes.js'
import { manifest } from '../src/service.js'
import { eraseContact, getContact, insertContact, mergeContactsInto } from '../src/store/contacts.js'
import { listDuplicates, recordDuplicates } from '../src/store/duplicates.js'
import { insertInteraction } from '../src/store/interactions.js'
import { searchContacts } from '../src/store/search.js'
import { fullTimeline } from '../src/store/timeline.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2025-01-01T00:00:00.000Z'
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`
const make = (input: unknown) =>
  buildContact(CreateContact.parse(input), { id: newId(), ownerId: 'u-1', now: NOW, region: 'GB' })
const failure = (p: Promise<unknown>) => p.then(() => undefined).catch((e: unknown) => e)

describe('duplicates, merge, erasure on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  // A test may Scan its own throw-away table; request paths never do.
  const itemsOf = async (t: string, id: string) =>
    (await documentClient().send(new ScanCommand({ TableName: table }))).Items!.filter(
      (i) =>
        String(i.pk).startsWith(`T#${t}#`) &&
        (i.contactId === id || i.id === id || String(i.pk).endsWith(id)),
    )

  const log = async (t: string, id: string, summary: string) => {
    const c = (await getContact(t, id))!
    const at = new Date().toISOString()
    await insertInteraction(
      t,
      c,
      buildInteraction({ type: 'note', summary }, { id: ulid(), contactId: id, loggedBy: 'u', now: at }),
      'corr',
    )
  }

  it('pairs a similar name at the same company or a shared phone, scored, and not namesakes elsewhere', async () => {
    const t = tenant()
    const a = make({ firstName: 'Gareth', lastName: 'Bale', companyName: 'Cardiff City' })
    const b = make({ firstName: 'GARETH', lastName: 'BALE', companyName: 'cardiff city' })
    const namesake = make({ firstName: 'Gareth', lastName: 'Bale', companyName: 'Real Madrid' })
    const samePhone = make({ firstName: 'G', lastName: 'B', phones: [{ number: '029 2018 0001' }] })
    const phoneTwin = make({ firstName: 'Rhian', phones: [{ number: '+44 29 2018 0001' }] })
    for (const c of [a, b, namesake, samePhone]) await insertContact(t, c, 'corr')
    await insertContact(t, phoneTwin, 'corr')
    expect(await recordDuplicates(t, b)).toBe(1)
    expect(await recordDuplicates(t, namesake)).toBe(0)
    expect(await recordDuplicates(t, phoneTwin)).toBe(1)
    const page = await listDuplicates(t, {})
    const pairs = page.items.map((p) => ({
      ids: p.contacts.map((c) => c.id).sort(),
      reasons: p.reasons,
      score: p.score,
    }))
    expect(pairs).toEqual(
      expect.arrayContaining([
        { ids: [a.id, b.id].sort(), reasons: ['name_company'], score: 0.95 },
        { ids: [samePhone.id, phoneTwin.id].sort(), reasons: ['phone'], score: 0.9 },
      ]),
    )
    expect(pairs).toHaveLength(2)
  })

  it('merges in one transaction: the source is gone, its emails, history and search move to the target', async () => {
    // Prepare
    const t = tenant()
    const target = make({ firstName: 'Rhys', emails: [{ address: 'rhys@x.io' }] })
    const source = make({ firstName: 'Rhys', lastName: 'Jones', emails: [{ address: 'rj@y.io' }] })
    await insertContact(t, target, 'corr')
    await insertContact(t, source, 'corr')
    await log(t, source.id, 'met at the fair')
    const merged = mergeContacts(target, source, NOW)
    // Act
    await mergeContactsInto(t, target, merged, source, diffContacts(target, merged), 'corr', 'u-1')
    // Assess
    expect(await getContact(t, source.id)).toBeUndefined()
    expect(await getContact(t, target.id)).toMatchObject({ lastName: 'Jones', version: 2 })
    // The address moved: taken by the target now, so another contact still cannot have it.
    const taken = await failure(
      insertContact(t, make({ firstName: 'X', emails: [{ address: 'rj@y.io' }] }), 'corr'),
    )
    expect(taken).toBeInstanceOf(EmailTaken)
    expect(taken).toMatchObject({ existingId: target.id })
    expect((await searchContacts(t, { q: 'jones' })).items.map((c) => c.id)).toEqual([target.id])
    const history = await fullTimeline(t, target.id)
    expect(history.map((e) => e.kind)).toEqual(expect.arrayContaining(['merged', 'interaction', 'created']))
    expect(await itemsOf(t, source.id)).toEqual([])
  })

  it('erases a contact with its history and index items, freeing its email', async () => {
    const t = tenant()
    const c = make({
      firstName: 'Erin',
      emails: [{ address: 'erin@x.io' }],
      phones: [{ number: '029 2018 0002' }],
    })
    await insertContact(t, c, 'corr')
    await log(t, c.id, 'private note')
    await eraseContact(t, c, 'corr')
    const left = await itemsOf(t, c.id)
    // Only the outbox items (which expire) remain, carrying no personal data in Contact.Erased.
    expect(left.filter((i) => i.kind !== 'outbox')).toEqual([])
    await insertContact(t, make({ firstName: 'New', emails: [{ address: 'erin@x.io' }] }), 'corr')
  })
})
