import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { EventBridgeEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest'
import * as z from 'zod/mini'
import type { HttpRequest } from '../src/http.js'
import { httpKit, nonPostHttpKit, subscriberKit } from '../src/kit.js'
import { MANAGERS, route, subscription, WRITERS } from '../src/manifest.js'
import type { EventEnvelope } from '../src/outbox.js'
import { NotFound } from '../src/outcomes.js'
import { work } from '../src/work.js'
import { bodyOf, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())
beforeAll(() => {
  process.env.COREKIT_MAIN_TABLE = 'crm-test-corekit-main'
})

const http = httpKit({ service: 'corekit', table: 'main' })
const subscriber = subscriberKit({ service: 'corekit', table: 'main' })

const renameThing = route({
  method: 'PATCH',
  path: '/things/{id}',
  function: 'rename-thing',
  roles: MANAGERS,
  summary: 'Rename a thing',
  body: z.strictObject({ name: z.string().check(z.minLength(1)) }),
  query: z.strictObject({ dryRun: z.optional(z.enum(['true', 'false'])) }),
  params: z.strictObject({ id: z.string().check(z.length(3)) }),
  maxBodyBytes: 64,
})

const getThing = route({
  method: 'GET',
  path: '/things/{id}',
  function: 'get-thing',
  roles: WRITERS,
  summary: 'Read a thing',
})

describe('kit http: the route is the one declaration', () => {
  it('types the request from the route schemas', () => {
    const handle = async (
      req: HttpRequest<{ name: string }, { dryRun?: 'true' | 'false' }, { id: string }>,
    ) => {
      expectTypeOf(req.body.name).toEqualTypeOf<string>()
      return { status: 204 }
    }
    http(renameThing, handle)
    http(getThing, async ({ params, body }) => {
      expectTypeOf(params).toEqualTypeOf<Record<string, string>>()
      expectTypeOf(body).toEqualTypeOf<undefined>()
      return { status: 200 }
    })
  })

  it('takes roles, schemas and the body limit from the route', async () => {
    // Prepare
    const handle = vi.fn(async (_req: unknown) => ({ status: 204 }))
    const handler = http(renameThing, handle)
    const patch = (input: Parameters<typeof httpEvent>[0]) =>
      handler(httpEvent({ method: 'PATCH', path: '/things/abc', params: { id: 'abc' }, ...input }), context)
    const sales = { sub: 'u1', 'custom:tenantId': 'acme', 'cognito:groups': '[sales]' }

    // Act
    const ok = await patch({ body: { name: 'New' }, query: { dryRun: 'true' } })
    const forbidden = await patch({ body: { name: 'New' }, claims: sales })
    const invalid = await patch({ body: { name: '' }, query: { other: '1' }, params: { id: 'x' } })
    const tooLarge = await patch({ body: { name: 'x'.repeat(100) } })

    // Assess
    expect(ok.statusCode).toBe(204)
    expect(handle).toHaveBeenCalledTimes(1)
    expect(handle.mock.calls[0]?.[0]).toMatchObject({
      body: { name: 'New' },
      query: { dryRun: 'true' },
      params: { id: 'abc' },
    })
    expect(forbidden.statusCode).toBe(403)
    expect(invalid.statusCode).toBe(400)
    expect((bodyOf(invalid).errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'name',
      'params.id',
      'query.other',
    ])
    expect(tooLarge.statusCode).toBe(413)
  })

  it('requires each {name} of the path when the route declares no params schema', async () => {
    const handler = http(getThing, async ({ params }) => ({ status: 200, body: params }))
    const missing = await handler(httpEvent({ method: 'GET', path: '/things/' }), context)
    const given = await handler(httpEvent({ method: 'GET', params: { id: 'x1' } }), context)
    expect(missing.statusCode).toBe(400)
    expect(bodyOf(missing).errors).toEqual([expect.objectContaining({ field: 'params.id' })])
    expect(bodyOf(given)).toEqual({ id: 'x1' })
  })

  it('maps a thrown outcome to its problem', async () => {
    const handler = http(getThing, async () => {
      throw new NotFound('No such thing')
    })
    const res = await handler(httpEvent({ method: 'GET', params: { id: 'x1' } }), context)
    expect(res.statusCode).toBe(404)
    expect(res.headers?.['content-type']).toBe('application/problem+json')
    expect(bodyOf(res)).toMatchObject({ status: 404, detail: 'No such thing' })
  })
})

describe('kit nonPostHttp: the stack without the Idempotency-Key step', () => {
  const httpNonPost = nonPostHttpKit({ service: 'corekit', table: 'main' })
  const createThing = route({
    method: 'POST',
    path: '/things',
    function: 'create-thing',
    roles: WRITERS,
    summary: 'Create a thing',
  })

  it('refuses a POST route where keys would be kept, so none loses its replay', () => {
    expect(() => httpNonPost(createThing, async () => ({ status: 201 }))).toThrow(/Idempotency-Key/)
    expect(() =>
      nonPostHttpKit({ service: 'no-table' })(createThing, async () => ({ status: 201 })),
    ).not.toThrow()
  })

  it('answers a keyed PATCH as the whole stack does, and reads or writes no idempotency record', async () => {
    const handle = async () => ({ status: 200, body: { ok: true }, version: 2 })
    const event = () =>
      httpEvent({
        method: 'PATCH',
        path: '/things/abc',
        params: { id: 'abc' },
        headers: { 'idempotency-key': 'k-1', 'if-match': '"1"' },
        body: { name: 'New' },
      })
    const plain = await httpNonPost(renameThing, handle)(event(), context)
    const whole = await http(renameThing, handle)(event(), context)
    expect(plain).toEqual(whole)
    expect(plain.statusCode).toBe(200)
    expect(ddb.calls()).toHaveLength(0)
  })
})

const Created = {
  source: 'crm.things',
  detailType: 'Thing.Created',
  version: 1,
  data: z.object({ id: z.string(), name: z.string() }),
} as const
const Deleted = {
  source: 'crm.things',
  detailType: 'Thing.Deleted',
  version: 1,
  data: z.object({ id: z.string() }),
} as const
const Merged = {
  source: 'crm.other',
  detailType: 'Thing.Created',
  version: 1,
  data: z.object({ otherId: z.number() }),
} as const
const onThings = subscription({
  name: 'on-things',
  function: 'on-things',
  events: [Created, Deleted, Merged],
})

const delivery = (
  source: string,
  detailType: string,
  data: unknown,
): EventBridgeEvent<string, EventEnvelope> =>
  ({
    id: 'eb-1',
    version: '0',
    account: '0',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    source,
    'detail-type': detailType,
    detail: {
      id: '01JD3Y0C6Z8R4F2G9QK7WXN5TB',
      tenantId: 'acme',
      occurredAt: '2026-01-01T00:00:00Z',
      version: 1,
      correlationId: 'c',
      data,
    },
  }) as EventBridgeEvent<string, EventEnvelope>

describe('kit subscriber: the subscription names the contracts', () => {
  const item = (id: string) => ({
    Put: { TableName: 'crm-test-corekit-main', Item: { pk: `T#acme#X#${id}`, sk: 'X' } },
  })

  it('validates data by the contract of the event source and detail-type, and commits the returned work', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const seen: string[] = []
    const handler = subscriber(onThings, async (event) => {
      if (event.source === 'crm.things' && event.detailType === 'Thing.Created') {
        expectTypeOf(event.detail.data).toEqualTypeOf<{ id: string; name: string } | { otherId: number }>()
      }
      if (event.detailType === 'Thing.Deleted') {
        expectTypeOf(event.detail.data).toEqualTypeOf<{ id: string }>()
        seen.push(event.detail.data.id)
        return work(item(event.detail.data.id))
      }
      seen.push(JSON.stringify(event.detail.data))
      return undefined
    })

    // Act
    await handler(delivery('crm.things', 'Thing.Deleted', { id: 't1' }))
    await handler(delivery('crm.other', 'Thing.Created', { otherId: 3 }))
    // Valid for crm.things' Thing.Created, not for crm.other's: picked by source, so dropped.
    await handler(delivery('crm.other', 'Thing.Created', { id: 't1', name: 'x' }))
    await handler(delivery('crm.things', 'Thing.Archived', { id: 't1' }))

    // Assess
    expect(seen).toEqual(['t1', '{"otherId":3}'])
    const tx = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems
    expect(tx?.[0]).toEqual(item('t1'))
    // Deduped per subscription: another subscription of the service receiving it handles it too.
    expect(tx?.[1]?.Put?.Item).toMatchObject({
      pk: 'T#acme#EVT#01JD3Y0C6Z8R4F2G9QK7WXN5TB',
      sk: 'EVT#on-things',
    })
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1)
  })

  it('refuses to build a subscriber for a service without a table', () => {
    expect(() => subscriberKit({ service: 'nothing' })(onThings, async () => undefined)).toThrow(/table/)
  })
})
