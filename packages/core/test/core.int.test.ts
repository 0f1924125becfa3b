/**
 * Against DynamoDB Local (the test run starts it and sets DYNAMODB_ENDPOINT): the outbox
 * transaction, real conditional idempotency claims and cursor paging.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { documentClient, isConditionalCheckFailed, queryPage } from '../src/ddb.js'
import { newId } from '../src/ids.js'
import { tenantKey } from '../src/keys.js'
import { newEvent, transactWithEvents } from '../src/outbox.js'
import { Invalid } from '../src/outcomes.js'
import { adHocRoutes, bodyOf, context, createPkSkTable, httpEvent } from './helpers.js'

const TABLE = `core-int-${newId().toLowerCase()}`

describe('core against DynamoDB Local', () => {
  let raw: DynamoDBClient

  beforeAll(async () => {
    process.env.COREINT_MAIN_TABLE = TABLE
    raw = new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT })
    await createPkSkTable(raw, TABLE)
  })

  afterAll(async () => {
    await raw?.send(new DeleteTableCommand({ TableName: TABLE }))
    raw?.destroy()
  })

  const get = async (pk: string, sk: string) =>
    (await documentClient().send(new GetCommand({ TableName: TABLE, Key: { pk, sk }, ConsistentRead: true })))
      .Item

  describe('transactWithEvents', () => {
    it('commits the entity and its outbox item together', async () => {
      // Prepare
      const id = newId()
      const event = newEvent({
        source: 'crm.core',
        detailType: 'Thing.Created',
        tenantId: 'acme',
        data: { id },
        correlationId: 'c1',
      })

      // Act
      await transactWithEvents(
        TABLE,
        [{ Put: { TableName: TABLE, Item: { pk: tenantKey('acme', 'THING', id), sk: 'THING' } } }],
        [event],
      )

      // Assess
      expect(await get(tenantKey('acme', 'THING', id), 'THING')).toBeDefined()
      expect(await get(tenantKey('acme', 'OUTBOX', event.detail.id), 'OUTBOX')).toMatchObject({
        kind: 'outbox',
        source: 'crm.core',
        detailType: 'Thing.Created',
        detail: { id: event.detail.id, tenantId: 'acme', data: { id } },
        ttl: expect.any(Number),
      })
    })

    it('writes no outbox item when the entity write is refused', async () => {
      // Prepare: the entity already exists and the write requires it not to
      const id = newId()
      const pk = tenantKey('acme', 'THING', id)
      await documentClient().send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'THING' } }))
      const event = newEvent({
        source: 'crm.core',
        detailType: 'Thing.Created',
        tenantId: 'acme',
        data: {},
        correlationId: 'c',
      })

      // Act
      const err = await transactWithEvents(
        TABLE,
        [
          {
            Put: {
              TableName: TABLE,
              Item: { pk, sk: 'THING' },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        [event],
      ).catch((e: unknown) => e)

      // Assess
      expect(isConditionalCheckFailed(err)).toBe(true)
      expect(await get(tenantKey('acme', 'OUTBOX', event.detail.id), 'OUTBOX')).toBeUndefined()
    })
  })

  describe('idempotency', () => {
    const http = adHocRoutes({ service: 'coreint', table: 'main' })
    let release: () => void = () => {}
    const handle = vi.fn(
      async ({ body, caller }: { body: { name: string }; caller: { tenantId: string } }) => {
        if (body.name === 'slow') await new Promise<void>((resolve) => (release = resolve))
        if (body.name === 'fail') throw new Error('boom')
        const id = newId()
        await documentClient().send(
          new PutCommand({
            TableName: TABLE,
            Item: { pk: tenantKey(caller.tenantId, 'ITEM', id), sk: 'ITEM', name: body.name },
          }),
        )
        return { status: 201, body: { id, name: body.name }, version: 1, location: `/items/${id}` }
      },
    )
    const create = http({
      path: '/items',
      roles: ['admin'],
      body: z.strictObject({ name: z.string() }),
      handle,
    })
    const post = (name: string, key: string) =>
      httpEvent({ path: '/items', body: { name }, headers: { 'idempotency-key': key } })

    it('replays the same response for the same key and request, and refuses another request', async () => {
      // Prepare
      handle.mockClear()
      const key = newId()

      // Act
      const first = await create(post('Ada', key), context)
      const second = await create(post('Ada', key), context)
      const other = await create(post('Bob', key), context)

      // Assess
      expect(first.statusCode).toBe(201)
      expect(second.statusCode).toBe(201)
      expect(second.body).toBe(first.body)
      expect(second.headers?.['Idempotency-Replayed']).toBe('true')
      expect(second.headers?.Location).toBe(first.headers?.Location)
      expect(other.statusCode).toBe(422)
      expect(handle).toHaveBeenCalledTimes(1)
    })

    it('runs the handler exactly once for two simultaneous requests with the same key', async () => {
      // Prepare
      handle.mockClear()
      const key = newId()

      // Act: the first claims the key and waits inside the handler; the second arrives meanwhile
      const firstPromise = create(post('slow', key), context)
      await vi.waitFor(() => expect(handle).toHaveBeenCalledTimes(1))
      const second = await create(post('slow', key), context)
      release()
      const first = await firstPromise

      // Assess
      expect(second.statusCode).toBe(409)
      expect(first.statusCode).toBe(201)
      expect(handle).toHaveBeenCalledTimes(1)
    })

    it('lets exactly one of many racing requests claim the key', async () => {
      handle.mockClear()
      const key = newId()

      const results = await Promise.all(Array.from({ length: 5 }, () => create(post('Race', key), context)))

      const statuses = results.map((r) => r.statusCode).sort()
      expect(handle).toHaveBeenCalledTimes(1)
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1)
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true)
    })

    it('releases the record after an error before any write, so a retry runs', async () => {
      handle.mockClear()
      const key = newId()

      const failed = await create(post('fail', key), context)
      const retried = await create(post('fail', key), context)

      expect(failed.statusCode).toBe(500)
      expect(retried.statusCode).toBe(500)
      expect(handle).toHaveBeenCalledTimes(2)
      expect(bodyOf(retried).title).toBe('Internal Server Error')
    })
  })

  describe('queryPage', () => {
    it("pages through a tenant's items with cursors and refuses another tenant's cursor", async () => {
      // Prepare
      const pk = tenantKey('pager', 'LIST')
      for (let i = 0; i < 5; i++) {
        await documentClient().send(new PutCommand({ TableName: TABLE, Item: { pk, sk: `S#${i}`, i } }))
      }
      const input = {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }

      // Act
      const seen: unknown[] = []
      let cursor: string | undefined
      do {
        const page = await queryPage(input, { limit: 2, tenantId: 'pager', ...(cursor ? { cursor } : {}) })
        seen.push(...page.items.map((it) => it.i))
        cursor = page.nextCursor
      } while (cursor)
      const firstPage = await queryPage(input, { limit: 2, tenantId: 'pager' })
      const foreign = await queryPage(input, {
        limit: 2,
        tenantId: 'intruder',
        cursor: firstPage.nextCursor ?? '',
      }).catch((e: unknown) => e)

      // Assess
      expect(seen).toEqual([0, 1, 2, 3, 4])
      expect(foreign).toBeInstanceOf(Invalid)
      expect(foreign).toMatchObject({ errors: [{ field: 'cursor', code: 'invalid_cursor' }] })
      expect(QueryCommand).toBeDefined()
    })
  })
})
