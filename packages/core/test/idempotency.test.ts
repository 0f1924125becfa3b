import { createHash } from 'node:crypto'
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { marshall } from '@aws-sdk/util-dynamodb'
import type { Context } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { httpKit } from '../src/kit.js'
import { route } from '../src/manifest.js'
import { newEvent, transactWithEvents } from '../src/outbox.js'
import { bodyOf, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())
beforeAll(() => {
  process.env.CORE_IDEMP_MAIN_TABLE = 'crm-test-core-idemp-main'
})

const TABLE = 'crm-test-core-idemp-main'
const KEY = 'key-123'
const PK = `T#acme#IDEMP#${createHash('sha256').update(KEY).digest('hex')}`

const http = httpKit({ service: 'core-idemp', table: 'main' })
const createThing = route({
  method: 'POST',
  path: '/contacts',
  function: 'create-thing',
  roles: ['admin'],
  summary: 'Create',
  body: z.strictObject({ name: z.string() }),
})

function setup(
  result: () => Promise<{ status: number; body?: unknown }> = async () => ({
    status: 201,
    body: { id: 'c1' },
  }),
) {
  const handle = vi.fn(result)
  const handler = http(createThing, handle)
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

  it('releases the record when the handler throws before writing, so a retry can run', async () => {
    // Prepare
    const { handler } = setup(async () => {
      throw new Error('boom')
    })
    ddb.on(PutCommand).resolves({})

    // Act
    const res = await handler(post('Ada'), context)

    // Assess
    expect(res.statusCode).toBe(500)
    expect(ddb).toReceiveCommandWith(DeleteCommand, {
      TableName: TABLE,
      Key: { pk: PK, sk: 'IDEMP' },
      ConditionExpression: 'attribute_not_exists(committedAt) AND #owner = :owner',
    })
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
    const noTable = httpKit({ service: 'no-table' })(
      route({ method: 'POST', path: '/x', function: 'x', roles: 'public', summary: 'x' }),
      async () => ({ status: 201 }),
    )
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

describe('idempotency survives a failure after the write (issue 9.1)', () => {
  const created = (name: string) =>
    transactWithEvents(
      TABLE,
      [{ Put: { TableName: TABLE, Item: { pk: 'T#acme#THING#1', sk: 'THING', name } } }],
      [
        newEvent({
          source: 'crm.core',
          detailType: 'Thing.Created',
          tenantId: 'acme',
          data: { name },
          correlationId: 'c',
        }),
      ],
    )

  const claimOwner = () =>
    ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item)[0]?.owner as string | undefined

  it('the claim carries an owner token, and the entity transaction marks it committed on that token', async () => {
    // Prepare
    const { handler } = setup(async () => {
      await created('Ada')
      return { status: 201, body: { id: '1' } }
    })
    ddb.on(PutCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})

    // Act
    await handler(post('Ada'), context)

    // Assess
    const owner = claimOwner()
    expect(owner).toMatch(/^[0-9a-f-]{36}$/)
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []
    expect(items).toHaveLength(3)
    expect(items[2]?.Update).toEqual({
      TableName: TABLE,
      Key: { pk: PK, sk: 'IDEMP' },
      UpdateExpression: 'SET committedAt = :now',
      ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':now': expect.any(Number), ':owner': owner },
    })
    expect(ddb).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ status: 'COMPLETED', owner }),
      ConditionExpression: '#owner = :owner',
    })
  })

  it('a transaction outside a keyed request carries no claim', async () => {
    ddb.on(TransactWriteCommand).resolves({})
    await created('Ada')
    expect(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems).toHaveLength(2)
  })

  it('an error after the write committed keeps the claim (the conditional release fails)', async () => {
    // Prepare
    const { handler } = setup(async () => {
      await created('Ada')
      throw new Error('crashed after the write')
    })
    ddb.on(PutCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    ddb.on(DeleteCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))

    // Act
    const res = await handler(post('Ada'), context)

    // Assess
    expect(res.statusCode).toBe(500)
    expect(ddb).toReceiveCommandWith(DeleteCommand, {
      ConditionExpression: 'attribute_not_exists(committedAt) AND #owner = :owner',
    })
    expect(ddb).not.toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({ status: 'COMPLETED' }),
    })
  })

  it('a retry finds the committed claim: 409 in progress, then 409 "applied" once its lease lapsed, never a second run', async () => {
    // Prepare
    const { handler, handle } = setup()
    const { stored } = await firstRun(handler)
    const { response: _r, ...claim } = stored
    const committed = { ...claim, status: 'IN_PROGRESS', committedAt: Date.now() - 1000 }

    // Act
    ddb.on(PutCommand).rejects(conditionFailedWith({ ...committed, inProgressUntil: Date.now() + 5000 }))
    const during = await handler(post('Ada'), context)
    ddb.reset()
    ddb.on(PutCommand).rejects(conditionFailedWith({ ...committed, inProgressUntil: Date.now() - 1 }))
    const after = await handler(post('Ada'), context)

    // Assess
    expect(handle).toHaveBeenCalledTimes(1)
    expect(during.statusCode).toBe(409)
    expect(bodyOf(during).detail).toMatch(/in progress/)
    expect(after.statusCode).toBe(409)
    expect(bodyOf(after)).toMatchObject({ applied: true, detail: expect.stringMatching(/was applied/) })
  })

  it('a claim whose request died before committing can be taken over once its lease lapsed', async () => {
    const { handler } = setup()
    ddb.on(PutCommand).resolves({})
    await handler(post('Ada'), context)
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(pk) OR #ttl < :nowSec OR (#status = :inProgress AND #until < :nowMs AND attribute_not_exists(committedAt))',
    )
  })

  it('a time-out after the write keeps the claim, and the late answer is stored for the retries', async () => {
    // Prepare: the write commits at once, the handler then needs 400 ms more; 150 ms are left.
    let finish: () => void = () => undefined
    const finished = new Promise<void>((resolve) => {
      finish = resolve
    })
    const { handler } = setup(async () => {
      await created('Ada')
      await new Promise((resolve) => setTimeout(resolve, 400))
      setTimeout(finish, 50)
      return { status: 201, body: { id: '1' } }
    })
    const startedAt = Date.now()
    const slow = { getRemainingTimeInMillis: () => 1150 - (Date.now() - startedAt) } as unknown as Context
    ddb.on(PutCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    ddb.on(DeleteCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }))

    // Act
    const res = await handler(post('Ada'), slow)
    const storedAtTimeout = ddb
      .commandCalls(PutCommand)
      .filter((c) => c.args[0].input.Item?.status === 'COMPLETED')
    await finished

    // Assess
    expect(res.statusCode).toBe(504)
    expect(storedAtTimeout).toHaveLength(0)
    expect(ddb).toReceiveCommandWith(PutCommand, {
      Item: expect.objectContaining({
        status: 'COMPLETED',
        response: expect.objectContaining({ statusCode: 201, body: '{"id":"1"}' }),
      }),
      ConditionExpression: '#owner = :owner',
    })
  })

  it('a time-out before the write releases the claim, and the late write then cannot commit', async () => {
    // Prepare
    let wrote: Promise<unknown> = Promise.resolve()
    const { handler } = setup(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
      wrote = created('Ada').catch((err: unknown) => err)
      await wrote
      return { status: 201 }
    })
    const startedAt = Date.now()
    const slow = { getRemainingTimeInMillis: () => 1100 - (Date.now() - startedAt) } as unknown as Context
    ddb.on(PutCommand).resolves({})
    ddb.on(DeleteCommand).resolves({})
    // What DynamoDB answers once the claim is gone: the claim's owner condition fails.
    ddb
      .on(TransactWriteCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'cancelled', $metadata: {} }))

    // Act
    const res = await handler(post('Ada'), slow)
    await new Promise((resolve) => setTimeout(resolve, 400))

    // Assess
    expect(res.statusCode).toBe(504)
    expect(ddb).toReceiveCommandWith(DeleteCommand, { Key: { pk: PK, sk: 'IDEMP' } })
    const tx = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? []
    expect(tx.at(-1)?.Update?.ConditionExpression).toBe('#owner = :owner')
    expect(await wrote).toBeInstanceOf(ConditionalCheckFailedException)
  })
})

describe('idempotency on public routes (issue 9.5)', () => {
  const submit = route({
    method: 'POST',
    path: '/public/forms/{formId}/submissions',
    function: 'submit',
    roles: 'public',
    summary: 'Submit',
    body: z.strictObject({ name: z.string() }),
  })
  const publicPost = (formId: string) =>
    httpEvent({
      path: `/public/forms/${formId}/submissions`,
      params: { formId },
      body: { name: 'Ada' },
      headers: { 'idempotency-key': KEY },
      claims: null,
    })

  it('keys the record by the route path (the form id), without a tenant', async () => {
    // Prepare
    const handler = http(submit, async () => ({ status: 201 }))
    ddb.on(PutCommand).resolves({})
    // Act
    await handler(publicPost('F1'), context)
    await handler(publicPost('F2'), context)
    // Assess
    const pks = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.pk as string)
    const keyOf = (formId: string) =>
      `PUBLIC#IDEMP#${createHash('sha256').update(`/public/forms/${formId}/submissions\n${KEY}`).digest('hex')}`
    expect(new Set(pks)).toEqual(new Set([keyOf('F1'), keyOf('F2')]))
  })

  it('replays the stored answer of the same submission', async () => {
    const handle = vi.fn(async () => ({ status: 201, body: { leadId: 'l1' } }))
    const handler = http(submit, handle)
    ddb.on(PutCommand).resolves({})
    await handler(publicPost('F1'), context)
    const stored = ddb
      .commandCalls(PutCommand)
      .map((c) => c.args[0].input.Item)
      .find((i) => i?.status === 'COMPLETED')
    ddb.reset()
    ddb.on(PutCommand).rejects(conditionFailedWith(stored as Record<string, unknown>))

    const replay = await handler(publicPost('F1'), context)

    expect(handle).toHaveBeenCalledTimes(1)
    expect(replay.statusCode).toBe(201)
    expect(replay.headers?.['Idempotency-Replayed']).toBe('true')
    expect(replay.body).toBe('{"leadId":"l1"}')
  })
})
