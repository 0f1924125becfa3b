import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { EXPORT_LIMITS } from '@relay/contracts/contacts'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { handler as exportContacts } from '../src/handlers/export-contacts.js'
import { context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)

beforeAll(() => {
  process.env.CONTACTS_MAIN_TABLE = 'crm-test-contacts-main'
})
afterEach(() => {
  ddb.reset()
})

let n = 0
const item = () => {
  const id = `01JD3Y0C6Z8R4F2G9Q${String(n++).padStart(8, '0')}`
  return {
    pk: `T#acme#CONTACT#${id}`,
    sk: 'CONTACT',
    gsi1pk: 'T#acme#CONTACTS',
    gsi1sk: `T#acme#CONTACT#${id}`,
    kind: 'contact',
    id,
    displayName: `Person ${n}`,
    emails: [],
    phones: [],
    tags: n % 2 ? ['vip'] : [],
    ownerId: 'user-1',
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  }
}

describe('GET /contacts/export paging', () => {
  it('stops at the row cap and names the rest with x-next-cursor and a Link that keeps the filters', async () => {
    // Prepare: an endless list (every page full, always more)
    ddb.on(QueryCommand).callsFake(async (input: { Limit?: number }) => {
      const items = Array.from({ length: input.Limit ?? 100 }, item)
      const last = items[items.length - 1]!
      return {
        Items: items,
        LastEvaluatedKey: { pk: last.pk, sk: last.sk, gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk },
      }
    })
    // Act
    const res = await exportContacts(
      httpEvent({ method: 'GET', path: '/contacts/export', query: { format: 'jsonl', tag: 'vip' } }),
      context,
    )
    // Assess
    expect(res.statusCode, String(res.body)).toBe(200)
    const lines = String(res.body).trimEnd().split('\n')
    expect(lines.length).toBeLessThanOrEqual(EXPORT_LIMITS.rows)
    expect(res.headers?.['x-export-rows']).toBe(String(lines.length))
    const cursor = res.headers?.['x-next-cursor']
    expect(cursor).toBeTruthy()
    expect(res.headers?.link).toBe(
      `</contacts/export?tag=vip&format=jsonl&cursor=${encodeURIComponent(String(cursor))}>; rel="next"`,
    )
  })

  it('stops after its page budget when matches are rare, with a cursor to go on', async () => {
    ddb.on(QueryCommand).callsFake(async (input: { Limit?: number }) => {
      const items = Array.from({ length: input.Limit ?? 100 }, item)
      const last = items[items.length - 1]!
      return {
        Items: items,
        LastEvaluatedKey: { pk: last.pk, sk: last.sk, gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk },
      }
    })
    const res = await exportContacts(
      httpEvent({ method: 'GET', path: '/contacts/export', query: { tag: 'never' } }),
      context,
    )
    expect(res.statusCode).toBe(200)
    expect(res.headers?.['x-export-rows']).toBe('0')
    expect(res.headers?.['x-next-cursor']).toBeTruthy()
  })

  it('answers the header alone when nothing matches, without a cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] })
    const res = await exportContacts(httpEvent({ method: 'GET', path: '/contacts/export' }), context)
    expect(res.statusCode).toBe(200)
    expect(String(res.body).startsWith('\uFEFFid,firstName,lastName')).toBe(true)
    expect(String(res.body).split('\r\n')).toHaveLength(2)
    expect(res.headers?.['x-next-cursor']).toBeUndefined()
  })
})
