/**
 * The projection of contacts' emails: the pure rules, and the subscribers with DynamoDB faked
 * (aws-sdk-client-mock): what they read, what they write with the dedupe record, and what they leave.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import {
  type ContactMail,
  emailsStated,
  fingerprintsOf,
  nextContactMail,
} from '../src/domain/contact-mail.js'
import { emailFingerprint as fp } from '../src/domain/engagement.js'
import { handler as onCreated } from '../src/handlers/on-contact-created.js'
import { handler as onDeleted } from '../src/handlers/on-contact-deleted.js'
import { handler as onErased } from '../src/handlers/on-contact-erased.js'
import { handler as onMerged } from '../src/handlers/on-contact-merged.js'
import { handler as onUpdated } from '../src/handlers/on-contact-updated.js'
import { manifest } from '../src/service.js'
import { contactData } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const TABLE = 'crm-test-pipeline-main'
const NOW = '2026-11-01T10:00:00.000Z'
const C = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const SOURCE = '01JD3Y0C6Z8R4F2G9QK7WXN5TC'
const MAIL_PK = `T#acme#CONTACTMAIL#${C}`

beforeAll(() => {
  process.env.PIPELINE_MAIN_TABLE = TABLE
})
afterEach(() => {
  ddb.reset()
})

const event = (detailType: string, data: unknown) =>
  busEvent({ source: 'crm.contacts', detailType, data, occurredAt: NOW })

const emailsChange = (version: number, before: string[], after?: string[]) => ({
  id: C,
  version,
  changes: {
    emails: {
      before: before.map((address, i) => ({ address, primary: i === 0 })),
      ...(after ? { after: after.map((address, i) => ({ address, primary: i === 0 })) } : {}),
    },
  },
})

/** The stored projection (or none) answered to GetItem on its key; dedupe records are never there. */
const stored = (item?: Record<string, unknown>) =>
  ddb.on(GetCommand).callsFake((input) => ({ Item: input.Key.pk === MAIL_PK ? item : undefined }))

const mailItem = (fingerprints: string[], version?: number, over: Record<string, unknown> = {}) => ({
  pk: MAIL_PK,
  sk: 'CONTACTMAIL',
  kind: 'contactmail',
  fingerprints,
  ...(version !== undefined ? { version } : {}),
  ...over,
})

const transactItems = (i = 0) => ddb.commandCalls(TransactWriteCommand)[i]!.args[0].input.TransactItems!
const mailPuts = () =>
  ddb
    .commandCalls(TransactWriteCommand)
    .flatMap((c) => c.args[0].input.TransactItems!)
    .map((t) => t.Put!)
    .filter((p) => p.Item?.kind === 'contactmail')
const dedupeOnly = () => {
  expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand)
  expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1)
  expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ kind: 'event' })
}

describe('contact email projection, pure', () => {
  it('fingerprints every address once, whatever its case, and skips what is not an address', () => {
    expect(
      fingerprintsOf([{ address: 'Ann@X.io' }, { address: 'ann@x.io' }, 'bo@x.io', { address: 'nope' }]),
    ).toEqual([fp('ann@x.io'), fp('bo@x.io')])
    expect(fingerprintsOf(undefined)).toEqual([])
  })

  it('reads the whole new list from changes.emails; no emails change says nothing; cleared is empty', () => {
    expect(emailsStated(emailsChange(3, ['a@x.io'], ['b@x.io']).changes, 3)).toEqual({
      version: 3,
      fingerprints: [fp('b@x.io')],
    })
    expect(emailsStated(emailsChange(4, ['a@x.io']).changes, 4)).toEqual({ version: 4, fingerprints: [] })
    expect(emailsStated({ firstName: { before: 'A', after: 'B' } }, 5)).toBeUndefined()
  })

  it('only a newer version replaces what is kept; a tombstone never changes; an unknown contact is projected', () => {
    const kept: ContactMail = { contactId: C, fingerprints: [fp('a@x.io')], version: 3 }
    const newer = { version: 4, fingerprints: [fp('b@x.io')] }
    expect(nextContactMail(C, kept, newer)).toEqual({ contactId: C, ...newer })
    expect(nextContactMail(C, kept, { version: 3, fingerprints: [] })).toBeUndefined()
    expect(nextContactMail(C, kept, { version: 2, fingerprints: [] })).toBeUndefined()
    expect(nextContactMail(C, { ...kept, version: 0 }, { version: 2, fingerprints: [] })?.version).toBe(2)
    expect(nextContactMail(C, { ...kept, fingerprints: [], gone: 'erased' }, newer)).toBeUndefined()
    expect(nextContactMail(C, undefined, { version: 2, fingerprints: [] })).toEqual({
      contactId: C,
      fingerprints: [],
      version: 2,
    })
  })
})

describe('manifest', () => {
  it('subscribes on-contact-updated to Contact.Updated from crm.contacts', () => {
    expect(manifest.subscriptions.find((s) => s.function === 'on-contact-updated')?.pattern).toEqual({
      source: ['crm.contacts'],
      'detail-type': ['Contact.Updated'],
    })
    expect(manifest.functions['on-contact-updated']?.tables).toEqual({ main: 'write' })
  })
})

describe('Contact.Updated', () => {
  it('moves the fingerprints to the new emails in ONE transaction with the dedupe record, guarded by the version read', async () => {
    // Prepare
    stored(mailItem([fp('old@x.io')], 1))
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    await onUpdated(event('Contact.Updated', emailsChange(2, ['old@x.io'], ['New@X.io', 'second@x.io'])))
    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: MAIL_PK, sk: 'CONTACTMAIL' },
      ConsistentRead: true,
    })
    const items = transactItems()
    expect(items).toHaveLength(2)
    expect(items[0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: { pk: MAIL_PK, contactId: C, fingerprints: [fp('new@x.io'), fp('second@x.io')], version: 2 },
      ConditionExpression: '#version = :read',
      ExpressionAttributeValues: { ':read': 1 },
    })
    expect(items[1]!.Put?.Item).toMatchObject({ pk: expect.stringMatching(/^T#acme#EVT#/), kind: 'event' })
  })

  it('an older update arriving after a newer one changes nothing (only the event is recorded)', async () => {
    stored(mailItem([fp('newest@x.io')], 5))
    await onUpdated(event('Contact.Updated', emailsChange(4, ['old@x.io'], ['stale@x.io'])))
    dedupeOnly()
  })

  it('a redelivered update is not applied twice', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#acme#EVT#evt-x', sk: 'EVT' } })
    await onUpdated(event('Contact.Updated', emailsChange(2, ['a@x.io'], ['b@x.io'])))
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand)
    expect(ddb).not.toHaveReceivedCommand(PutCommand)
  })

  it('an update that leaves the emails alone does not even read the projection', async () => {
    stored(mailItem([fp('a@x.io')], 1))
    await onUpdated(
      event('Contact.Updated', { id: C, version: 2, changes: { lastName: { before: 'A', after: 'B' } } }),
    )
    const read = ddb.commandCalls(GetCommand).map((c) => String(c.args[0].input.Key?.pk))
    expect(read).toEqual([expect.stringMatching(/^T#acme#EVT#/)])
    dedupeOnly()
  })

  it('projects a contact it did not know yet, even with its emails cleared, so an older event cannot refill it', async () => {
    stored(undefined)
    ddb.on(TransactWriteCommand).resolves({})
    await onUpdated(event('Contact.Updated', emailsChange(3, ['a@x.io'])))
    expect(mailPuts()).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ fingerprints: [], version: 3 }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ])
  })

  it('a projection written before versions were kept is replaced, and gets its version', async () => {
    stored(mailItem([fp('a@x.io')]))
    ddb.on(TransactWriteCommand).resolves({})
    await onUpdated(event('Contact.Updated', emailsChange(2, ['a@x.io'], ['b@x.io'])))
    expect(mailPuts()[0]).toMatchObject({
      Item: { fingerprints: [fp('b@x.io')], version: 2 },
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :read)',
    })
  })

  it('an erased contact stays erased', async () => {
    stored(mailItem([], 7, { gone: 'erased' }))
    await onUpdated(event('Contact.Updated', emailsChange(9, [], ['back@x.io'])))
    dedupeOnly()
  })

  it('a write that lost a race throws, so the bus redelivers and the projection is read again', async () => {
    stored(mailItem([fp('a@x.io')], 1))
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    )
    await expect(
      onUpdated(event('Contact.Updated', emailsChange(2, ['a@x.io'], ['b@x.io']))),
    ).rejects.toThrow()
  })

  it('drops an event whose data breaks the contract (no version), writing nothing', async () => {
    await onUpdated(event('Contact.Updated', { id: C, changes: {} }))
    expect(ddb.calls()).toHaveLength(0)
  })
})

describe('Contact.Created', () => {
  it('projects the emails at the contact version, only where nothing is kept yet', async () => {
    stored(undefined)
    ddb.on(TransactWriteCommand).resolves({})
    await onCreated(
      event('Contact.Created', contactData({ id: C, emails: [{ address: 'a@x.io', primary: true }] })),
    )
    expect(mailPuts()).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ fingerprints: [fp('a@x.io')], version: 1 }),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ])
  })

  it('a contact without emails is projected too: the projection also says it exists', async () => {
    stored(undefined)
    ddb.on(TransactWriteCommand).resolves({})
    await onCreated(event('Contact.Created', contactData({ id: C, emails: [] })))
    expect(mailPuts()).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ pk: MAIL_PK, fingerprints: [], version: 1 }),
      }),
    ])
  })

  it('data that is not a contact (the contract refuses it) is dropped: nothing written', async () => {
    await onCreated(event('Contact.Created', { id: C, version: 1, emails: [{ address: 'a@x.io' }] }))
    expect(ddb.calls()).toHaveLength(0)
  })

  it('arriving after an update of the same contact, it changes nothing', async () => {
    stored(mailItem([fp('b@x.io')], 2))
    await onCreated(event('Contact.Created', contactData({ id: C, emails: [{ address: 'a@x.io' }] })))
    dedupeOnly()
  })
})

describe('Contact.Merged and Contact.Erased', () => {
  it('a merge moves the survivor to the merged emails (version-guarded) and tombstones the absorbed contact', async () => {
    // Prepare: nothing points at the absorbed contact; the survivor is projected at version 4
    ddb.on(QueryCommand).resolves({ Items: [] })
    stored(mailItem([fp('keep@x.io')], 4))
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    await onMerged(
      event('Contact.Merged', {
        ...emailsChange(5, ['keep@x.io'], ['keep@x.io', 'dup@x.io']),
        sourceId: SOURCE,
      }),
    )
    // Assess
    const [survivor, absorbed, dedupe] = transactItems()
    expect(survivor?.Put).toMatchObject({
      Item: { pk: MAIL_PK, fingerprints: [fp('keep@x.io'), fp('dup@x.io')], version: 5 },
      ExpressionAttributeValues: { ':read': 4 },
    })
    expect(absorbed?.Put?.Item).toMatchObject({
      pk: `T#acme#CONTACTMAIL#${SOURCE}`,
      fingerprints: [],
      gone: 'merged',
    })
    expect(absorbed?.Put?.ConditionExpression).toBeUndefined()
    expect(dedupe?.Put?.Item?.kind).toBe('event')
  })

  it("the absorbed contact's tombstone names the survivor, so a new reference to it can say which", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })
    stored(undefined)
    ddb.on(TransactWriteCommand).resolves({})
    await onMerged(event('Contact.Merged', { id: C, version: 5, sourceId: SOURCE, changes: {} }))
    expect(mailPuts()).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ pk: `T#acme#CONTACTMAIL#${SOURCE}`, gone: 'merged', mergedInto: C }),
      }),
    ])
  })

  it('a deletion tombstones the projection unless a tombstone is there (a merge keeps its survivor)', async () => {
    stored(undefined)
    ddb.on(TransactWriteCommand).resolves({})
    await onDeleted(event('Contact.Deleted', { id: C, version: 4 }))
    expect(mailPuts()).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ pk: MAIL_PK, fingerprints: [], gone: 'deleted', version: 4 }),
        ConditionExpression: 'attribute_not_exists(#gone)',
      }),
    ])
    // Already a tombstone: the condition fails and the event counts as applied (no retry, no dead letter).
    ddb.reset()
    stored(undefined)
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    )
    await expect(onDeleted(event('Contact.Deleted', { id: C, version: 4 }))).resolves.toBeUndefined()
  })

  it('a merge older than the projection leaves the survivor alone and still tombstones the absorbed contact', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })
    stored(mailItem([fp('keep@x.io')], 6))
    ddb.on(TransactWriteCommand).resolves({})
    await onMerged(
      event('Contact.Merged', { ...emailsChange(5, ['keep@x.io'], ['dup@x.io']), sourceId: SOURCE }),
    )
    expect(mailPuts().map((p) => p.Item?.pk)).toEqual([`T#acme#CONTACTMAIL#${SOURCE}`])
  })

  it('an erasure overwrites the projection with a tombstone, whatever version it held', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })
    stored(mailItem([fp('a@x.io')], 9))
    ddb.on(TransactWriteCommand).resolves({})
    await onErased(event('Contact.Erased', { id: C, version: 3 }))
    expect(mailPuts()).toEqual([
      expect.objectContaining({
        Item: expect.objectContaining({ pk: MAIL_PK, fingerprints: [], gone: 'erased' }),
      }),
    ])
    expect(mailPuts()[0]?.ConditionExpression).toBeUndefined()
  })
})
