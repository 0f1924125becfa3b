import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { ContactCreated, ContactDeleted } from '@relay/contracts/contacts-events'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { contactCountDelta, toSummary } from '../src/domain/summary.js'
import { handler as countContacts } from '../src/handlers/count-contacts.js'
import { handler as getSummary } from '../src/handlers/get-summary.js'
import { manifest } from '../src/service.js'

const ddb = mockClient(DynamoDBDocumentClient)
const TABLE = 'crm-test-analytics-main'
const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context

beforeAll(() => {
  process.env.ANALYTICS_MAIN_TABLE = TABLE
})
afterEach(() => {
  ddb.reset()
})

/** Data that meets each contract: Contact.Created carries the contact, Contact.Deleted its id. */
const CONTACT = {
  id: 'C1',
  displayName: 'Ana',
  emails: [],
  phones: [],
  tags: [],
  ownerId: 'u1',
  version: 1,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
}

const contactEvent = (detailType: string, id = '01JD3Y0C6Z8R4F2G9QK7WXN5TB', data?: unknown) =>
  busEvent({
    source: 'crm.contacts',
    detailType,
    data: data ?? (detailType === 'Contact.Created' ? CONTACT : { id: 'C1', version: 2 }),
    id,
    occurredAt: '2025-01-01T00:00:00.000Z',
  })

describe('summary domain', () => {
  it('counts creates up and deletes down, nothing else', () => {
    expect(contactCountDelta('Contact.Created')).toBe(1)
    expect(contactCountDelta('Contact.Deleted')).toBe(-1)
    expect(contactCountDelta('Contact.Updated')).toBe(0)
  })

  it('reads an absent record as zero and never shows a negative count', () => {
    expect(toSummary(undefined)).toEqual({ contacts: { total: 0 }, updatedAt: null })
    expect(toSummary({ contactsTotal: -1, updatedAt: 'x' })).toEqual({
      contacts: { total: 0 },
      updatedAt: 'x',
    })
    expect(toSummary({ contactsTotal: 4, updatedAt: 'x' }).contacts.total).toBe(4)
  })
})

describe('count-contacts subscriber', () => {
  it('subscribes to exactly Contact.Created and Contact.Deleted from crm.contacts', () => {
    expect(manifest.subscriptions).toEqual([
      {
        name: 'count-contacts',
        pattern: { source: ['crm.contacts'], 'detail-type': ['Contact.Created', 'Contact.Deleted'] },
        function: 'count-contacts',
        events: [ContactCreated, ContactDeleted],
      },
    ])
  })

  it('drops an event whose data does not meet its contract, without counting it', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    // Act
    await countContacts(contactEvent('Contact.Created', undefined, { id: 'C1' }))
    // Assess
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 0)
  })

  it('drops an event of a type the subscription does not receive', async () => {
    await countContacts(contactEvent('Contact.Updated', undefined, { id: 'C1' }))
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0)
  })

  it('adds to the count and records the event id in ONE transaction', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    // Act
    await countContacts(contactEvent('Contact.Created'))
    // Assess
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(items).toHaveLength(2)
    expect(items[0]!.Update).toMatchObject({
      TableName: TABLE,
      Key: { pk: 'T#acme#SUMMARY', sk: 'SUMMARY' },
      UpdateExpression: expect.stringContaining('ADD contactsTotal :delta'),
      ExpressionAttributeValues: { ':delta': 1 },
    })
    expect(items[1]!.Put).toMatchObject({ Item: { pk: 'T#acme#EVT#01JD3Y0C6Z8R4F2G9QK7WXN5TB', sk: 'EVT' } })
  })

  it('subtracts on Contact.Deleted', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    await countContacts(contactEvent('Contact.Deleted'))
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(items[0]!.Update!.ExpressionAttributeValues).toMatchObject({ ':delta': -1 })
  })

  it('does not count a redelivered event again', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#acme#EVT#01JD3Y0C6Z8R4F2G9QK7WXN5TB', sk: 'EVT' } })
    await countContacts(contactEvent('Contact.Created'))
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0)
  })
})

describe('GET /analytics/summary', () => {
  it("answers the caller's tenant's summary", async () => {
    // Prepare
    ddb
      .on(GetCommand)
      .resolves({ Item: { pk: 'T#acme#SUMMARY', sk: 'SUMMARY', contactsTotal: 3, updatedAt: 'now' } })
    const event = {
      version: '2.0',
      rawPath: '/analytics/summary',
      headers: {},
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/analytics/summary' },
        requestId: 'r',
        authorizer: {
          jwt: { claims: { sub: 'u', 'custom:tenantId': 'acme', 'cognito:groups': '[viewer]' } },
        },
      },
    } as unknown as APIGatewayProxyEventV2
    // Act
    const res = (await getSummary(event, context)) as APIGatewayProxyStructuredResultV2
    // Assess
    expect(res.statusCode).toBe(200)
    expect(JSON.parse(res.body!)).toEqual({ contacts: { total: 3 }, updatedAt: 'now' })
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'T#acme#SUMMARY', sk: 'SUMMARY' } })
  })

  it('takes its roles from the route: a token without a tenant is a 401 problem', async () => {
    const event = {
      version: '2.0',
      rawPath: '/analytics/summary',
      headers: {},
      isBase64Encoded: false,
      requestContext: { http: { method: 'GET', path: '/analytics/summary' }, requestId: 'r' },
    } as unknown as APIGatewayProxyEventV2
    const res = (await getSummary(event, context)) as APIGatewayProxyStructuredResultV2
    expect(res.statusCode).toBe(401)
    expect(res.headers?.['content-type']).toBe('application/problem+json')
  })
})
