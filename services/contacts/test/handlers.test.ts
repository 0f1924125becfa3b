/** Handlers with DynamoDB faked (aws-sdk-client-mock): what they write, and what they answer. */

import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import type { Role } from '@relay/core/manifest'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { handler as createContact } from '../src/handlers/create-contact.js'
import { handler as deleteContact } from '../src/handlers/delete-contact.js'
import { handler as getContact } from '../src/handlers/get-contact.js'
import { handler as listContacts } from '../src/handlers/list-contacts.js'
import { handler as updateContact } from '../src/handlers/update-contact.js'
import { context, httpEvent, parse } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const TABLE = 'crm-test-contacts-main'
const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

beforeAll(() => {
  process.env.CONTACTS_MAIN_TABLE = TABLE
})
afterEach(() => {
  ddb.reset()
})

const stored = (version = 1) => ({
  pk: `T#acme#CONTACT#${ID}`,
  sk: 'CONTACT',
  gsi1pk: 'T#acme#CONTACTS',
  gsi1sk: `T#acme#CONTACT#${ID}`,
  kind: 'contact',
  id: ID,
  firstName: 'Ann',
  lastName: 'Lee',
  displayName: 'Ann Lee',
  emails: [{ address: 'ann@example.com', primary: true }],
  phones: [],
  tags: [],
  ownerId: 'user-1',
  version,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
})

const canceled = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  })

describe('POST /contacts', () => {
  it('writes the contact, its email guard, tokens and Contact.Created in ONE transaction and answers 201', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const event = httpEvent({
      method: 'POST',
      path: '/contacts',
      body: { firstName: 'Gwy\u0302n', emails: [{ address: 'Gwyn@Example.com' }] },
    })
    // Act
    const res = parse(await createContact(event, context))
    // Assess
    expect(res.status).toBe(201)
    expect(res.headers.Location).toBe(`/contacts/${res.body.id}`)
    expect(res.headers.ETag).toBe('"1"')
    expect(res.body).toMatchObject({
      firstName: 'Gw\u0177n',
      emails: [{ address: 'gwyn@example.com', primary: true }],
    })
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0)
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(items[0]!.Put).toMatchObject({
      TableName: TABLE,
      Item: {
        pk: `T#acme#CONTACT#${res.body.id}`,
        sk: 'CONTACT',
        gsi1pk: 'T#acme#CONTACTS',
        kind: 'contact',
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    // One contact per email: the guard is claimed in the same transaction, never read first.
    expect(items.find((i) => i.Put?.Item?.kind === 'email')?.Put).toMatchObject({
      Item: { pk: 'T#acme#EMAIL#gwyn@example.com', sk: 'EMAIL', contactId: res.body.id },
      ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
    })
    expect(items.filter((i) => i.Put?.Item?.kind === 'token').map((i) => i.Put?.Item?.pk)).toEqual(
      expect.arrayContaining(['T#acme#TOK#gw']),
    )
    expect(items.at(-1)!.Put).toMatchObject({
      TableName: TABLE,
      Item: {
        kind: 'outbox',
        source: 'crm.contacts',
        detailType: 'Contact.Created',
        detail: { tenantId: 'acme', version: 1, data: { id: res.body.id } },
      },
    })
  })

  it('rejects unknown fields and a bad email naming each, and touches nothing', async () => {
    // Prepare
    const event = httpEvent({
      method: 'POST',
      path: '/contacts',
      body: { firstName: 'X', emails: [{ address: 'nope' }], isAdmin: true },
    })
    // Act
    const res = parse(await createContact(event, context))
    // Assess
    expect(res.status).toBe(400)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['emails.0.address', 'isAdmin']),
    )
    expect(ddb.calls()).toHaveLength(0)
  })

  it('lets sales own what they create, not assign it to someone else (403 naming ownerId); a manager may', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const create = (ownerId: string, roles: Role[]) =>
      createContact(
        httpEvent({ method: 'POST', path: '/contacts', roles, body: { firstName: 'Owned', ownerId } }),
        context,
      ).then(parse)
    const refused = await create('user-2', ['sales'])
    expect(refused.status).toBe(403)
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['ownerId'])
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect((await create('user-1', ['sales'])).body).toMatchObject({ ownerId: 'user-1' })
    expect((await create('user-2', ['manager'])).body).toMatchObject({ ownerId: 'user-2' })
  })

  it('requires a name', async () => {
    const res = parse(
      await createContact(httpEvent({ method: 'POST', path: '/contacts', body: { tags: [] } }), context),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('firstName')
  })

  it('answers a throttled DynamoDB with a 500 problem that carries no stack or internals', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(
      new ProvisionedThroughputExceededException({
        message: 'Rate of requests exceeds the allowed throughput',
        $metadata: {},
      }),
    )
    // Act
    const res = parse(
      await createContact(
        httpEvent({ method: 'POST', path: '/contacts', body: { firstName: 'A' } }),
        context,
      ),
    )
    // Assess
    expect(res.status).toBe(500)
    expect(res.headers['content-type']).toBe('application/problem+json')
    const text = JSON.stringify(res.body)
    expect(text).not.toMatch(/\bat .+\.(ts|js)/)
    expect(text).not.toContain('ProvisionedThroughput')
    expect(text).not.toContain('Rate of requests')
    expect(res.body.correlationId).toBeTruthy()
  })
})

describe('GET /contacts/{id}', () => {
  it('answers the contact with its ETag, storage attributes stripped', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(3) })
    const res = parse(
      await getContact(
        httpEvent({ method: 'GET', path: `/contacts/${ID}`, params: { id: ID }, roles: ['viewer'] }),
        context,
      ),
    )
    expect(res.status).toBe(200)
    expect(res.headers.ETag).toBe('"3"')
    expect(res.body).not.toHaveProperty('pk')
    expect(res.body).not.toHaveProperty('gsi1sk')
    expect(res.body.displayName).toBe('Ann Lee')
  })

  it("looks only in the caller's tenant: another tenant's id is a 404", async () => {
    ddb.on(GetCommand).resolves({})
    const res = parse(
      await getContact(
        httpEvent({ method: 'GET', path: `/contacts/${ID}`, params: { id: ID }, tenant: 'globex' }),
        context,
      ),
    )
    expect(res.status).toBe(404)
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      Key: { pk: `T#globex#CONTACT#${ID}`, sk: 'CONTACT' },
    })
  })
})

describe('PATCH /contacts/{id}', () => {
  const patch = (body: unknown, headers: Record<string, string> = {}) =>
    httpEvent({ method: 'PATCH', path: `/contacts/${ID}`, params: { id: ID }, body, headers })

  it('writes the new version conditionally with Contact.Updated carrying the changes', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: stored(2) })
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    const res = parse(await updateContact(patch({ companyName: 'Acme' }, { 'if-match': '"2"' }), context))
    // Assess
    expect(res.status).toBe(200)
    expect(res.headers.ETag).toBe('"3"')
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(items[0]!.Put).toMatchObject({
      Item: { version: 3, companyName: 'Acme' },
      ExpressionAttributeValues: { ':expected': 2 },
    })
    expect(items.at(-1)!.Put!.Item).toMatchObject({
      detailType: 'Contact.Updated',
      detail: { data: { id: ID, version: 3, changes: { companyName: { after: 'Acme' } } } },
    })
  })

  it('answers 412 to a stale If-Match without writing', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(2) })
    const res = parse(await updateContact(patch({ companyName: 'Acme' }, { 'if-match': '"1"' }), context))
    expect(res.status).toBe(412)
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('answers 412 when another write lands between the read and the write (with If-Match)', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: stored(1) })
      .resolves({ Item: stored(2) })
    ddb.on(TransactWriteCommand).rejects(canceled())
    const res = parse(await updateContact(patch({ companyName: 'Acme' }, { 'if-match': '"1"' }), context))
    expect(res.status).toBe(412)
  })

  it('answers 409 for the same race without If-Match', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: stored(1) })
      .resolves({ Item: stored(2) })
    ddb.on(TransactWriteCommand).rejects(canceled())
    const res = parse(await updateContact(patch({ companyName: 'Acme' }), context))
    expect(res.status).toBe(409)
  })

  it('writes nothing when nothing changes', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(2) })
    const res = parse(await updateContact(patch({ firstName: 'Ann' }), context))
    expect(res.status).toBe(200)
    expect(res.headers.ETag).toBe('"2"')
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })

  it('refuses a patch that leaves no name', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(2) })
    const res = parse(await updateContact(patch({ firstName: null, lastName: null }), context))
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('displayName')
  })

  it('rejects an empty patch and unknown fields', async () => {
    expect(parse(await updateContact(patch({}), context)).status).toBe(400)
    expect(parse(await updateContact(patch({ version: 9 }), context)).body.errors[0].field).toBe('version')
    expect(ddb.calls()).toHaveLength(0)
  })
})

describe('DELETE /contacts/{id}', () => {
  const del = (
    headers: Record<string, string> = {},
    roles: ('admin' | 'sales' | 'manager')[] = ['manager'],
  ) => httpEvent({ method: 'DELETE', path: `/contacts/${ID}`, params: { id: ID }, headers, roles })

  it('deletes conditionally with Contact.Deleted and answers 204', async () => {
    ddb.on(GetCommand).resolves({ Item: stored(4) })
    ddb.on(TransactWriteCommand).resolves({})
    const res = parse(await deleteContact(del(), context))
    expect(res.status).toBe(204)
    expect(res.body).toBeUndefined()
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(items[0]!.Delete).toMatchObject({
      Key: { pk: `T#acme#CONTACT#${ID}`, sk: 'CONTACT' },
      ExpressionAttributeValues: { ':expected': 4 },
    })
    expect(items.at(-1)!.Put!.Item).toMatchObject({
      detailType: 'Contact.Deleted',
      detail: { data: { id: ID } },
    })
    // The email guard goes with it, so the address is free again.
    expect(items.map((i) => i.Delete?.Key?.pk)).toContain('T#acme#EMAIL#ann@example.com')
  })

  it('answers 404 when the condition fails because the contact is gone', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: stored(4) })
      .resolves({})
    ddb.on(TransactWriteCommand).rejects(canceled())
    const res = parse(await deleteContact(del(), context))
    expect(res.status).toBe(404)
  })

  it('answers 409 when the condition fails because it changed meanwhile', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({ Item: stored(4) })
      .resolves({ Item: stored(5) })
    ddb.on(TransactWriteCommand).rejects(canceled())
    const res = parse(await deleteContact(del(), context))
    expect(res.status).toBe(409)
  })

  it('is for managers: sales gets 403', async () => {
    const res = parse(await deleteContact(del({}, ['sales']), context))
    expect(res.status).toBe(403)
    expect(ddb.calls()).toHaveLength(0)
  })

  it('answers 404 for a missing contact', async () => {
    ddb.on(GetCommand).resolves({})
    expect(parse(await deleteContact(del(), context)).status).toBe(404)
  })
})

describe('GET /contacts', () => {
  it('queries gsi1 newest first and returns a cursor for the next page', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({
      Items: [stored(1)],
      LastEvaluatedKey: { pk: stored().pk, sk: 'CONTACT', gsi1pk: stored().gsi1pk, gsi1sk: stored().gsi1sk },
    })
    // Act
    const res = parse(
      await listContacts(
        httpEvent({ method: 'GET', path: '/contacts', query: { limit: '1' }, roles: ['viewer'] }),
        context,
      ),
    )
    // Assess
    expect(res.status).toBe(200)
    expect(res.body.items).toHaveLength(1)
    expect(res.body.items[0]).not.toHaveProperty('pk')
    expect(res.body.nextCursor).toEqual(expect.any(String))
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'gsi1',
      ScanIndexForward: false,
      Limit: 1,
      ExpressionAttributeValues: { ':pk': 'T#acme#CONTACTS' },
    })
  })

  it('rejects a limit out of range and an unknown parameter', async () => {
    const res = parse(
      await listContacts(
        httpEvent({ method: 'GET', path: '/contacts', query: { limit: '500', sort: 'x' } }),
        context,
      ),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['query.limit', 'query.sort'])
  })

  it("rejects another tenant's cursor", async () => {
    const cursor = Buffer.from(JSON.stringify({ pk: 'T#globex#CONTACT#X', sk: 'CONTACT' })).toString(
      'base64url',
    )
    const res = parse(
      await listContacts(httpEvent({ method: 'GET', path: '/contacts', query: { cursor } }), context),
    )
    expect(res.status).toBe(400)
    expect(ddb.calls()).toHaveLength(0)
  })
})
