/** Issue #3 handlers with DynamoDB faked: how cancellations and faults become answers. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { handler as createContact } from '../src/handlers/create-contact.js'
import { handler as deleteCompany } from '../src/handlers/delete-company.js'
import { handler as listContacts } from '../src/handlers/list-contacts.js'
import { handler as logInteraction } from '../src/handlers/log-interaction.js'
import { handler as putFields } from '../src/handlers/put-contact-fields.js'
import { context, httpEvent, parse } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const OTHER = '01JD3Y0C6Z8R4F2G9QK7WXN5TC'

beforeAll(() => {
  process.env.CONTACTS_MAIN_TABLE = 'crm-test-contacts-main'
})
afterEach(() => {
  ddb.reset()
})

const settingsKey = { pk: 'T#acme#SETTINGS', sk: 'CONTACT_FIELDS' }
const cancelledAt = (index: number, length: number) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: Array.from({ length }, (_, i) => ({
      Code: i === index ? 'ConditionalCheckFailed' : 'None',
    })),
  })
const post = (body: unknown) => httpEvent({ method: 'POST', path: '/contacts', body })

describe('POST /contacts, one contact per email', () => {
  it('answers 409 with existingId when the email guard is taken (decided by the transaction, not a read)', async () => {
    // Prepare: the transaction fails on the guard; the guard names its owner
    ddb.on(GetCommand, { Key: settingsKey }).resolves({})
    ddb.on(GetCommand, { Key: { pk: 'T#acme#EMAIL#ann@example.com', sk: 'EMAIL' } }).resolves({
      Item: { contactId: OTHER },
    })
    ddb
      .on(TransactWriteCommand)
      .callsFake((input: { TransactItems: { Put?: { Item?: { kind?: string } } }[] }) => {
        const index = input.TransactItems.findIndex((i) => i.Put?.Item?.kind === 'email')
        throw cancelledAt(index, input.TransactItems.length)
      })
    // Act
    const res = parse(
      await createContact(post({ firstName: 'Ann', emails: [{ address: 'Ann@Example.com' }] }), context),
    )
    // Assess
    expect(res.status).toBe(409)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.body).toMatchObject({ existingId: OTHER, field: 'emails.0.address' })
    // No read of the guard came before the write.
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.Key?.pk)).toEqual([
      'T#acme#SETTINGS',
      'T#acme#EMAIL#ann@example.com',
    ])
  })

  it('answers 400 naming companies.<i>.companyId when a linked company does not exist', async () => {
    ddb.on(GetCommand).resolves({})
    // The link's Update of the company item (existence check + linkSeq) is what fails.
    ddb.on(TransactWriteCommand).callsFake((input: { TransactItems: { Update?: { Key: object } }[] }) => {
      throw cancelledAt(
        input.TransactItems.findIndex((i) => JSON.stringify(i.Update?.Key ?? '').includes(OTHER)),
        input.TransactItems.length,
      )
    })
    const res = parse(
      await createContact(post({ firstName: 'Ann', companies: [{ companyId: OTHER }] }), context),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('companies.0.companyId')
  })

  it('normalises phones with the tenant region and refuses an invalid one naming the field', async () => {
    ddb
      .on(GetCommand, { Key: settingsKey })
      .resolves({ Item: { ...settingsKey, fields: [], defaultRegion: 'TH', version: 1 } })
    ddb.on(TransactWriteCommand).resolves({})
    const ok = parse(
      await createContact(post({ firstName: 'A', phones: [{ number: '02 123 4567' }] }), context),
    )
    expect(ok.status).toBe(201)
    expect(ok.body.phones).toEqual([{ number: '+6621234567' }])
    const bad = parse(await createContact(post({ firstName: 'A', phones: [{ number: '02 123' }] }), context))
    expect(bad.status).toBe(400)
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['phones.0.number'])
  })

  it("checks custom fields against the tenant's definitions", async () => {
    ddb.on(GetCommand, { Key: settingsKey }).resolves({
      Item: { fields: [{ key: 'vat', label: 'VAT', type: 'text', required: true }], version: 1 },
    })
    const res = parse(await createContact(post({ firstName: 'A', customFields: { colour: 'red' } }), context))
    expect(res.status).toBe(400)
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customFields.colour',
      'customFields.vat',
    ])
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })
})

describe('GET /contacts search', () => {
  it('queries the token partition of the longest word consistently, then reads the contacts consistently', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })
    ddb.on(BatchGetCommand).resolves({ Responses: {} })
    const res = parse(
      await listContacts(httpEvent({ method: 'GET', path: '/contacts', query: { q: 'Jo Núñez' } }), context),
    )
    expect(res.status).toBe(200)
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      ConsistentRead: true,
      ExpressionAttributeValues: { ':pk': 'T#acme#TOK#nu', ':p': 'nunez' },
    })
  })

  it('refuses a query whose words are all one character', async () => {
    const res = parse(
      await listContacts(httpEvent({ method: 'GET', path: '/contacts', query: { q: 'a b' } }), context),
    )
    expect(res.status).toBe(400)
    expect(res.body.errors[0].field).toBe('query.q')
    expect(ddb.calls()).toHaveLength(0)
  })
})

describe('POST /contacts/{id}/interactions', () => {
  it('answers 404 for a missing contact and 400 for an interaction in the future', async () => {
    ddb.on(GetCommand).resolves({})
    const path = `/contacts/${ID}/interactions`
    const missing = parse(
      await logInteraction(
        httpEvent({ method: 'POST', path, params: { id: ID }, body: { type: 'note', summary: 'hi' } }),
        context,
      ),
    )
    expect(missing.status).toBe(404)
    const future = parse(
      await logInteraction(
        httpEvent({
          method: 'POST',
          path,
          params: { id: ID },
          body: { type: 'call', summary: 'later', occurredAt: '2999-01-01T00:00:00.000Z' },
        }),
        context,
      ),
    )
    expect(future.status).toBe(400)
    expect(future.body.errors[0].field).toBe('occurredAt')
  })
})

describe('DELETE /companies/{id}', () => {
  it('answers 409 while contacts still belong to the company', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: ID, name: 'Acme', tags: [], ownerId: 'u', version: 1 } })
    ddb.on(QueryCommand).resolves({ Items: [{ pk: `T#acme#COMPANY#${ID}`, sk: `MEMBER#${OTHER}` }] })
    const res = parse(
      await deleteCompany(
        httpEvent({ method: 'DELETE', path: `/companies/${ID}`, params: { id: ID }, roles: ['manager'] }),
        context,
      ),
    )
    expect(res.status).toBe(409)
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
  })
})

describe('PUT /settings/contact-fields', () => {
  const put = (
    body: unknown,
    headers: Record<string, string> = {},
    roles: ('admin' | 'sales')[] = ['admin'],
  ) => httpEvent({ method: 'PUT', path: '/settings/contact-fields', body, headers, roles })
  const body = { fields: [{ key: 'size', label: 'Size', type: 'select', options: ['S', 'M'] }] }

  it('writes version 1 conditionally the first time', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).resolves({})
    const res = parse(await putFields(put(body), context))
    expect(res.status).toBe(200)
    expect(res.headers.ETag).toBe('"1"')
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { ConditionExpression: 'attribute_not_exists(pk)' })
  })

  it('refuses select without options, an unknown region, a stale If-Match, and sales', async () => {
    ddb.on(GetCommand).resolves({ Item: { fields: [], version: 3 } })
    expect(
      parse(await putFields(put({ fields: [{ key: 'x', label: 'X', type: 'select' }] }), context)).status,
    ).toBe(400)
    expect(
      parse(await putFields(put({ fields: [], defaultRegion: 'ZZ' }), context)).body.errors[0].field,
    ).toBe('defaultRegion')
    expect(parse(await putFields(put(body, { 'if-match': '"2"' }), context)).status).toBe(412)
    expect(parse(await putFields(put(body, {}, ['sales']), context)).status).toBe(403)
  })
})
