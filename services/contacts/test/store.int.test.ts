import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { applyPatch, buildContact, diffContacts } from '../src/domain/contact.js'
import { ContactExists } from '../src/domain/outcomes.js'
import { manifest } from '../src/service.js'
import { getContact, insertContact, removeContact, replaceContact } from '../src/store/contacts.js'
import { listContacts } from '../src/store/search.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const NOW = '2025-01-01T00:00:00.000Z'

const contact = (firstName: string) => buildContact({ firstName }, { id: newId(), ownerId: 'u-1', now: NOW })

describe('contacts store on DynamoDB Local', () => {
  let table: string

  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))

  // A test may Scan its own throw-away table; request paths never do.
  const outboxTypes = async (id: string) => {
    const out = await documentClient().send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': 'outbox' },
      }),
    )
    return (out.Items ?? []).filter((i) => i.detail?.data?.id === id).map((i) => i.detailType as string)
  }

  it('creates a contact with its Contact.Created outbox item, readable only in its tenant', async () => {
    // Prepare
    const c = contact('Siân')
    // Act
    await insertContact('acme', c, 'corr-1')
    // Assess
    expect(await getContact('acme', c.id)).toEqual(c)
    expect(await getContact('globex', c.id)).toBeUndefined()
    expect(await outboxTypes(c.id)).toEqual(['Contact.Created'])
  })

  it('refuses to create the same id twice', async () => {
    const c = contact('Twice')
    await insertContact('acme', c, 'corr')
    const err = await insertContact('acme', c, 'corr').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContactExists)
  })

  it('replaces only at the expected version, writing no event when refused', async () => {
    // Prepare
    const c = contact('Ann')
    await insertContact('acme', c, 'corr')
    const next = applyPatch(c, { companyName: 'Acme' }, NOW)
    // Act
    const stale = await replaceContact(
      'acme',
      { ...c, version: 7 },
      next,
      diffContacts(c, next),
      'corr',
    ).catch((e: unknown) => e)
    await replaceContact('acme', c, next, diffContacts(c, next), 'corr')
    // Assess
    expect(stale).toBeInstanceOf(StaleVersion)
    expect(await getContact('acme', c.id)).toMatchObject({ version: 2, companyName: 'Acme' })
    expect((await outboxTypes(c.id)).sort()).toEqual(['Contact.Created', 'Contact.Updated'])
  })

  it("cannot replace another tenant's contact", async () => {
    const c = contact('Mine')
    await insertContact('acme', c, 'corr')
    const next = applyPatch(c, { companyName: 'Theirs' }, NOW)
    const err = await replaceContact('globex', c, next, diffContacts(c, next), 'corr').catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(NotFound)
    expect(await getContact('globex', c.id)).toBeUndefined()
  })

  it('deletes only at the expected version', async () => {
    const c = contact('Gone')
    await insertContact('acme', c, 'corr')
    const stale = await removeContact('acme', { ...c, version: 2 }, 'corr').catch((e: unknown) => e)
    expect(stale).toBeInstanceOf(StaleVersion)
    await removeContact('acme', c, 'corr')
    expect(await getContact('acme', c.id)).toBeUndefined()
    expect((await outboxTypes(c.id)).sort()).toEqual(['Contact.Created', 'Contact.Deleted'])
  })

  it('lists a tenant newest first, page by page, and never another tenant', async () => {
    // Prepare
    const tenant = `list-${newId().slice(-6)}`
    const made = []
    for (const name of ['One', 'Two', 'Three']) {
      const c = contact(name)
      await insertContact(tenant, c, 'corr')
      made.push(c)
    }
    await insertContact(`${tenant}-other`, contact('Other'), 'corr')
    // Act
    const first = await listContacts(tenant, { limit: 2 })
    const second = await listContacts(tenant, { limit: 2, cursor: first.nextCursor })
    // Assess
    expect(first.items.map((c) => c.firstName)).toEqual(['Three', 'Two'])
    expect(first.nextCursor).toBeTruthy()
    expect(second.items.map((c) => c.firstName)).toEqual(['One'])
    expect(second.nextCursor).toBeUndefined()
    const foreign = await listContacts(`${tenant}-other`, { cursor: first.nextCursor }).catch(
      (e: unknown) => e,
    )
    // Refused by core's cursor check (decodeCursor) before any Query: the field is named either way.
    expect(foreign).toMatchObject({ errors: [{ field: 'cursor', code: 'invalid_cursor' }] })
  })
})
