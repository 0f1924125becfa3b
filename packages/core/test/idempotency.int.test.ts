/**
 * Idempotency that survives a time-out (issue 9.1), against DynamoDB Local: a handler that stalls
 * before or after its write, and DynamoDB itself paused behind a TCP proxy in the middle of the
 * entity transaction. Whatever happens, one key makes at most one record, and a retry gets 409 or
 * the replay, never a second run.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Context } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { resetDocumentClient } from '../src/ddb.js'
import { newId } from '../src/ids.js'
import { tenantKey } from '../src/keys.js'
import { httpKit } from '../src/kit.js'
import { route } from '../src/manifest.js'
import { newEvent, transactWithEvents } from '../src/outbox.js'
import { bodyOf, createPkSkTable, httpEvent } from './helpers.js'

const TABLE = `core-idemp-int-${newId().toLowerCase()}`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A TCP proxy to DynamoDB Local that can hold every byte both ways, as a paused process does. */
function pausableProxy(
  target: URL,
): Promise<{ url: string; pause(): void; resume(): void; close(): Promise<void> }> {
  let paused = false
  const held: (() => void)[] = []
  const sockets = new Set<Socket>()
  const pipe = (from: Socket, to: Socket) =>
    from.on('data', (chunk) => (paused ? held.push(() => to.write(chunk)) : to.write(chunk)))
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname)
    sockets.add(client).add(upstream)
    pipe(client, upstream)
    pipe(upstream, client)
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      resolve({
        url: `http://127.0.0.1:${port}`,
        pause: () => {
          paused = true
        },
        resume: () => {
          paused = false
          for (const flush of held.splice(0)) flush()
        },
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          }),
      })
    }),
  )
}

/** A Lambda context whose function times out `ms` after it was made. */
const contextFor = (ms: number) => {
  const startedAt = Date.now()
  return { getRemainingTimeInMillis: () => ms - (Date.now() - startedAt) } as unknown as Context
}

describe('idempotency across time-outs (DynamoDB Local)', () => {
  let raw: DynamoDBClient
  let proxy: Awaited<ReturnType<typeof pausableProxy>>
  const endpoint = process.env.DYNAMODB_ENDPOINT as string

  beforeAll(async () => {
    process.env.COREIDEMPINT_MAIN_TABLE = TABLE
    raw = new DynamoDBClient({ endpoint })
    await createPkSkTable(raw, TABLE)
    proxy = await pausableProxy(new URL(endpoint))
    // Every call of the code under test goes through the proxy.
    process.env.DYNAMODB_ENDPOINT = proxy.url
    resetDocumentClient()
  })

  afterAll(async () => {
    proxy?.resume()
    process.env.DYNAMODB_ENDPOINT = endpoint
    resetDocumentClient()
    await proxy?.close()
    await raw?.send(new DeleteTableCommand({ TableName: TABLE }))
    raw?.destroy()
  })

  const http = httpKit({ service: 'coreidempint', table: 'main' })
  const createItem = route({
    method: 'POST',
    path: '/items',
    function: 'create-item',
    roles: ['admin'],
    summary: 'Create an item',
    body: z.strictObject({ name: z.string(), tenant: z.string() }),
  })

  /** Writes one item of the request's tenant (with its event) like every create path does. */
  const write = async (tenant: string, name: string) => {
    const id = newId()
    await transactWithEvents(
      TABLE,
      [{ Put: { TableName: TABLE, Item: { pk: tenantKey(tenant, 'ITEM'), sk: id, name } } }],
      [
        newEvent({
          source: 'crm.core',
          detailType: 'Item.Created',
          tenantId: tenant,
          data: { id },
          correlationId: 'c',
        }),
      ],
    )
    return id
  }

  /** Read straight from DynamoDB Local, past the proxy. */
  const itemsOf = async (tenant: string) =>
    (
      await DynamoDBDocumentClient.from(raw).send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': tenantKey(tenant, 'ITEM') },
          ConsistentRead: true,
        }),
      )
    ).Items ?? []

  const post = (tenant: string, key: string, name = 'Ada') =>
    httpEvent({
      path: '/items',
      body: { name, tenant },
      headers: { 'idempotency-key': key },
      claims: { sub: 'u1', 'custom:tenantId': tenant, 'cognito:groups': '[admin]' },
    })

  it('a handler that stalls before its write: 504, the late write cannot commit, the retry creates the one record', async () => {
    // Prepare
    const tenant = `t${newId()}`
    const key = newId()
    let lateWrite: Promise<unknown> = Promise.resolve()
    let calls = 0
    const handler = http(createItem, async ({ body }) => {
      calls++
      if (calls === 1) await sleep(900)
      lateWrite = write(body.tenant, body.name)
      const id = await lateWrite
      return { status: 201, body: { id } }
    })

    // Act
    const first = await handler(post(tenant, key), contextFor(1500))
    // Past the claim's lease too: on a loaded machine the release may have been given up.
    await sleep(1200)
    await lateWrite.catch(() => undefined)
    const retry = await handler(post(tenant, key), contextFor(5000))
    const replay = await handler(post(tenant, key), contextFor(5000))

    // Assess
    expect(first.statusCode).toBe(504)
    expect(retry.statusCode).toBe(201)
    expect(replay.statusCode).toBe(201)
    expect(replay.body).toBe(retry.body)
    expect(replay.headers?.['Idempotency-Replayed']).toBe('true')
    expect(await itemsOf(tenant)).toHaveLength(1)
  })

  it('a handler that stalls after its write: 504, retries get 409, then the replay of the late answer', async () => {
    // Prepare
    const tenant = `t${newId()}`
    const key = newId()
    let done: () => void = () => undefined
    const finished = new Promise<void>((resolve) => {
      done = resolve
    })
    const handler = http(createItem, async ({ body }) => {
      const id = await write(body.tenant, body.name)
      await sleep(1200)
      setTimeout(done, 200)
      return { status: 201, body: { id } }
    })

    // Act
    const first = await handler(post(tenant, key), contextFor(1600))
    const during = await handler(post(tenant, key), contextFor(5000))
    await finished
    const after = await handler(post(tenant, key), contextFor(5000))

    // Assess
    expect(first.statusCode).toBe(504)
    expect(during.statusCode).toBe(409)
    expect(after.statusCode).toBe(201)
    expect(after.headers?.['Idempotency-Replayed']).toBe('true')
    expect(bodyOf(after).id).toBe((await itemsOf(tenant))[0]?.sk)
    expect(await itemsOf(tenant)).toHaveLength(1)
  })

  it('a crash after the write keeps the key: 409 while leased, then 409 "applied", never a second record', async () => {
    // Prepare
    const tenant = `t${newId()}`
    const key = newId()
    let calls = 0
    const handler = http(createItem, async ({ body }) => {
      calls++
      await write(body.tenant, body.name)
      throw new Error('crashed after the write')
    })

    // Act
    const first = await handler(post(tenant, key), contextFor(1500))
    const during = await handler(post(tenant, key), contextFor(5000))
    await sleep(1600)
    const lapsed = await handler(post(tenant, key), contextFor(5000))

    // Assess
    expect(first.statusCode).toBe(500)
    expect(during.statusCode).toBe(409)
    expect(lapsed.statusCode).toBe(409)
    expect(bodyOf(lapsed)).toMatchObject({ applied: true })
    expect(calls).toBe(1)
    expect(await itemsOf(tenant)).toHaveLength(1)
  })

  it('DynamoDB paused during the entity transaction: 504 in time, and after it resumes one record, then the replay', async () => {
    // Prepare
    const tenant = `t${newId()}`
    const key = newId()
    let settled: Promise<unknown> = Promise.resolve()
    const handler = http(createItem, async ({ body }) => {
      proxy.pause()
      settled = write(body.tenant, body.name)
      const id = await settled
      return { status: 201, body: { id } }
    })

    // Act
    const startedAt = Date.now()
    const first = await handler(post(tenant, key), contextFor(2000))
    const answeredAfter = Date.now() - startedAt
    await sleep(500)
    proxy.resume()
    await settled.catch(() => undefined)
    await sleep(300)
    const retries = [
      await handler(post(tenant, key), contextFor(5000)),
      await handler(post(tenant, key), contextFor(5000)),
    ]

    // Assess
    expect(first.statusCode).toBe(504)
    expect(first.headers?.['content-type']).toBe('application/problem+json')
    expect(answeredAfter).toBeLessThan(2000)
    expect(await itemsOf(tenant)).toHaveLength(1)
    for (const retry of retries) {
      expect(retry.statusCode).toBe(201)
      expect(retry.headers?.['Idempotency-Replayed']).toBe('true')
    }
  })
})
