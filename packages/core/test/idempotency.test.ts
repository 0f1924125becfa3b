import { createHash } from 'node:crypto'
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { marshall } from '@aws-sdk/util-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { createHttp } from '../src/http.js'
import { bodyOf, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())
beforeAll(() => {
  process.env.CORE_IDEMP_MAIN_TABLE = 'crm-test-core-idemp-main'
})

const TABLE = 'crm-test-core-idemp-main'
const KEY = 'key-123'
const PK = `T#acme#IDEMP#${createHash('sha256').update(KEY).digest('hex')}`

const http = createHttp({ service: 'core-idemp', table: 'main' })

function setup(
  result: () => Promise<{ status: number; body?: unknown }> = async () => ({
    status: 201,
    body: { id: 'c1' },
  }),
) {
  const handle = vi.fn(result)
  const handler = http({ roles: ['admin'], body: z.strictObject({ name: z.string() }), handle })
  return { handle, handler }
}

const post = (name: string, key = KEY) => httpEvent({ body: { name }, headers: { 'idempotency-key': key } })

function conditionFailedWith(item: Record<string, unknown>) {
  return new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: marshall(item, { removeUndefinedValues: true }),
  })
}

/** Runs a first request and returns the COMPLETED record it stored. */
async function firstRun(handler: ReturnType<typeof setup>['handler']) {
  ddb.on(PutCommand).resolves({})
  const res = await handler(post('Ada'), context)
  const stored = ddb
    .commandCalls(PutCommand)
    .map((c) => c.args[0].input.Item)
    .find((i) => i?.status === 'COMPLETED')
  ddb.reset()
  return { res, stored: stored as Record<string, unknown> }
}

describe('idempotency', () => {
  it('claims the key with a conditional write, then stores the final response', async () => {
    // Prepare
    const { handler, handle } = setup()
    ddb.on(PutCommand).resolves({})

    // Act
    const res = await handler(post('Ada'), context)

    // Assess
    expect(res.statusCode).toBe(201)
    expect(handle).toHaveBeenCalledTimes(1)
    expect(ddb).toReceiveCommandWith(PutCommand, {
      TableName: TABLE,
      Item: expect.objectContaining({ pk: PK, sk: 'IDEMP', status: 'IN_PROGRESS' }),
      ConditionExpression: expect.stringContaining('attribute_not_exists(pk)'),
    })
    expect(ddb).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({
        pk: PK,
        status: 'COMPLETED',
        response: expect.objectContaining({ statusCode: 201, body: '{"id":"c1"}' }),
        ttl: expect.any(Number),
      }),
    })
  })

  it('replays the stored response byte for byte without running the handler', async () => {
    // Prepare
    const { handler, handle } = setup()
    const { res: first, stored } = await firstRun(handler)
    ddb.on(PutCommand).rejects(conditionFailedWith(stored))

    // Act
    const replay = await handler(post('Ada'), context)

    // Assess
    expect(handle).toHaveBeenCalledTimes(1)
    expect(replay.statusCode).toBe(first.statusCode)
    expect(replay.body).toBe(first.body)
    expect(replay.headers).toMatchObject({
      'Idempotency-Replayed': 'true',
      'content-type': 'application/json',
    })
  })

  it('reads the record when the failure does not carry it', async () => {
    const { handler, handle } = setup()
    const { stored } = await firstRun(handler)
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))
    ddb.on(GetCommand).resolves({ Item: stored })

    const replay = await handler(post('Ada'), context)

    expect(handle).toHaveBeenCalledTimes(1)
    expect(replay.headers?.['Idempotency-Replayed']).toBe('true')
  })

  it('422 when the key is reused for a different request', async () => {
    const { handler, handle } = setup()
    const { stored } = await firstRun(handler)
    ddb.on(PutCommand).rejects(conditionFailedWith(stored))

    const res = await handler(post('Bob'), context)

    expect(res.statusCode).toBe(422)
    expect(handle).toHaveBeenCalledTimes(1)
    expect(ddb).not.toReceiveCommand(DeleteCommand)
  })

  it('409 while the first request is still in progress', async () => {
    const { handler, handle } = setup()
    const { stored } = await firstRun(handler)
    const { response: _r, ...inProgress } = stored
    ddb
      .on(PutCommand)
      .rejects(
        conditionFailedWith({ ...inProgress, status: 'IN_PROGRESS', inProgressUntil: Date.now() + 5000 }),
      )

    const res = await handler(post('Ada'), context)

    expect(res.statusCode).toBe(409)
    expect(handle).toHaveBeenCalledTimes(1)
    expect(ddb).not.toReceiveCommand(DeleteCommand)
  })

  it('deletes the record when the handler throws, so a retry can run', async () => {
    // Prepare
    const { handler } = setup(async () => {
      throw new Error('boom')
    })
    ddb.on(PutCommand).resolves({})

    // Act
    const res = await handler(post('Ada'), context)

    // Assess
    expect(res.statusCode).toBe(500)
    expect(ddb).toReceiveCommandWith(DeleteCommand, { TableName: TABLE, Key: { pk: PK, sk: 'IDEMP' } })
    expect(ddb).not.toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ status: 'COMPLETED' }),
    })
  })

  it('deletes the record when the handler answers 5xx', async () => {
    const { handler } = setup(async () => ({ status: 503 }))
    ddb.on(PutCommand).resolves({})

    await handler(post('Ada'), context)

    expect(ddb).toReceiveCommandWith(DeleteCommand, { Key: { pk: PK, sk: 'IDEMP' } })
  })

  it('does not track requests without a key, non-POST requests, or services without a table', async () => {
    const { handler } = setup()
    await handler(httpEvent({ body: { name: 'Ada' } }), context)
    await handler(
      httpEvent({ method: 'PUT', body: { name: 'Ada' }, headers: { 'idempotency-key': KEY } }),
      context,
    )
    const noTable = createHttp({ service: 'no-table' })({
      roles: 'public',
      handle: async () => ({ status: 201 }),
    })
    const res = await noTable(post('Ada'), context)
    expect(res.statusCode).toBe(201)
    expect(ddb).not.toReceiveCommand(PutCommand)
  })

  it('400 for an oversized key', async () => {
    const { handler } = setup()
    const res = await handler(post('Ada', 'k'.repeat(300)), context)
    expect(res.statusCode).toBe(400)
    expect(bodyOf(res).errors).toEqual([expect.objectContaining({ field: 'headers.idempotency-key' })])
  })
})
