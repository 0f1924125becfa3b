import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import type { HttpRequest } from '../src/http.js'
import { MANAGERS, WRITERS } from '../src/manifest.js'
import { Conflict, NotFound } from '../src/outcomes.js'
import { adHocRoutes, bodyOf, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

const http = adHocRoutes({ service: 'coretest', table: 'main' })

const ContactBody = z.strictObject({
  name: z.string().check(z.minLength(1)),
  emails: z.optional(z.array(z.strictObject({ address: z.email() }))),
})

const create = http({
  roles: WRITERS,
  body: ContactBody,
  async handle({ body, caller }) {
    return {
      status: 201,
      body: { id: 'c1', tenantId: caller.tenantId, ...body },
      version: 1,
      location: '/contacts/c1',
    }
  },
})

describe('http: auth and roles', () => {
  it('401 problem without a tenant claim', async () => {
    // Prepare
    const event = httpEvent({ body: { name: 'Ana' }, claims: { sub: 'u1', 'cognito:groups': '[admin]' } })
    // Act
    const res = await create(event, context)
    // Assess
    expect(res.statusCode).toBe(401)
    expect(res.headers?.['content-type']).toBe('application/problem+json')
    expect(bodyOf(res)).toMatchObject({ status: 401, title: 'Unauthorized', instance: '/contacts' })
  })

  it('401 problem without any authorizer', async () => {
    const res = await create(httpEvent({ body: { name: 'Ana' }, claims: null }), context)
    expect(res.statusCode).toBe(401)
  })

  it('403 problem when no role of the caller is allowed', async () => {
    const handler = http({ roles: MANAGERS, handle: async () => ({ status: 204 }) })
    const res = await handler(
      httpEvent({
        method: 'GET',
        claims: { sub: 'u1', 'custom:tenantId': 'acme', 'cognito:groups': 'sales,viewer' },
      }),
      context,
    )
    expect(res.statusCode).toBe(403)
    expect(bodyOf(res).status).toBe(403)
  })

  it('public routes run without a token and see the anonymous caller', async () => {
    const seen = vi.fn()
    const handler = http({
      roles: 'public',
      handle: async (req) => {
        seen(req.caller)
        return { status: 200, body: { ok: true } }
      },
    })
    const res = await handler(httpEvent({ method: 'GET', claims: null }), context)
    expect(res.statusCode).toBe(200)
    expect(seen).toHaveBeenCalledWith({ tenantId: '', userId: 'anonymous', roles: [] })
  })
})

describe('http: body limit and validation', () => {
  it('413 problem when the body is over maxBodyBytes', async () => {
    const handler = http({
      roles: WRITERS,
      body: ContactBody,
      maxBodyBytes: 32,
      handle: async () => ({ status: 200 }),
    })
    const res = await handler(httpEvent({ body: { name: 'x'.repeat(100) } }), context)
    expect(res.statusCode).toBe(413)
    expect(bodyOf(res).status).toBe(413)
  })

  it('400 on field body for invalid JSON', async () => {
    const res = await create(httpEvent({ body: '{"name":' }), context)
    expect(res.statusCode).toBe(400)
    expect(bodyOf(res).errors).toEqual([
      { field: 'body', code: 'invalid_json', message: 'The body is not valid JSON' },
    ])
  })

  it('400 naming each bad and each unknown field', async () => {
    // Prepare
    const event = httpEvent({
      body: { name: '', emails: [{ address: 'nope' }], role: 'admin', tenantId: 'other' },
    })
    // Act
    const res = await create(event, context)
    // Assess
    expect(res.statusCode).toBe(400)
    const errors = bodyOf(res).errors as { field: string; code: string; message: string }[]
    expect(errors.map((e) => [e.field, e.code]).sort()).toEqual(
      [
        ['emails.0.address', 'invalid_format'],
        ['name', 'too_small'],
        ['role', 'unrecognized_keys'],
        ['tenantId', 'unrecognized_keys'],
      ].sort(),
    )
    expect(errors.find((e) => e.field === 'role')?.message).toBe("Unknown field 'role'")
    expect(errors.find((e) => e.field === 'name')?.message).toBe('Must be at least 1 character')
    expect(errors.every((e) => e.message.length > 0 && e.message !== 'Invalid input')).toBe(true)
  })

  it('400 with a required body missing, and query./params. prefixes', async () => {
    const handler = http({
      roles: WRITERS,
      body: ContactBody,
      query: z.strictObject({ limit: z.optional(z.string().check(z.regex(/^\d+$/))) }),
      params: z.strictObject({ id: z.string().check(z.length(26)) }),
      handle: async () => ({ status: 200 }),
    })
    const res = await handler(
      httpEvent({ query: { limit: 'ten', x: '1' }, params: { id: 'short' } }),
      context,
    )
    const fields = (bodyOf(res).errors as { field: string }[]).map((e) => e.field).sort()
    expect(res.statusCode).toBe(400)
    expect(fields).toEqual(['body', 'params.id', 'query.limit', 'query.x'])
  })

  it('400 on a garbage If-Match', async () => {
    const res = await create(
      httpEvent({ body: { name: 'Ana' }, headers: { 'If-Match': 'yesterday' } }),
      context,
    )
    expect(res.statusCode).toBe(400)
    expect((bodyOf(res).errors as { field: string }[])[0]?.field).toBe('headers.if-match')
  })
})

describe('http: success', () => {
  it('201 with JSON body, ETag, Location and the correlation id', async () => {
    // Prepare
    const event = httpEvent({ body: { name: 'Ana', emails: [{ address: 'ana@example.com' }] } })
    // Act
    const res = await create(event, context)
    // Assess
    expect(res.statusCode).toBe(201)
    expect(res.headers).toMatchObject({
      'content-type': 'application/json',
      ETag: '"1"',
      Location: '/contacts/c1',
      'x-correlation-id': 'req-fixture-1',
    })
    expect(bodyOf(res)).toEqual({
      id: 'c1',
      tenantId: 'acme',
      name: 'Ana',
      emails: [{ address: 'ana@example.com' }],
    })
  })

  it('hands the handler typed input, If-Match version and the given correlation id', async () => {
    let seen: HttpRequest<unknown, unknown, unknown> | undefined
    const handler = http({
      roles: WRITERS,
      params: z.object({ id: z.string() }),
      handle: async (req) => {
        seen = req
        return { status: 204 }
      },
    })
    const res = await handler(
      httpEvent({
        method: 'PATCH',
        params: { id: 'c1' },
        headers: { 'If-Match': 'W/"7"', 'X-Correlation-Id': 'corr-abc' },
      }),
      context,
    )
    expect(res.statusCode).toBe(204)
    expect(res.body).toBeUndefined()
    expect(res.headers?.['x-correlation-id']).toBe('corr-abc')
    expect(seen).toMatchObject({
      params: { id: 'c1' },
      ifMatch: 7,
      correlationId: 'corr-abc',
      caller: { tenantId: 'acme', userId: 'user-1', roles: ['admin', 'sales'] },
    })
    expect(seen?.headers['if-match']).toBe('W/"7"')
  })
})

describe('http: errors', () => {
  const failing = (err: unknown) =>
    http({
      roles: WRITERS,
      handle: async () => {
        throw err
      },
    })
  const ccf = () =>
    new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} })

  it('an outcome → its problem', async () => {
    const res = await failing(new NotFound('No such contact'))(httpEvent({ method: 'GET' }), context)
    expect(res.statusCode).toBe(404)
    expect(bodyOf(res)).toMatchObject({
      status: 404,
      detail: 'No such contact',
      correlationId: 'req-fixture-1',
    })
  })

  it('ConditionalCheckFailed with If-Match → 412', async () => {
    const res = await failing(ccf())(httpEvent({ method: 'PUT', headers: { 'if-match': '"2"' } }), context)
    expect(res.statusCode).toBe(412)
  })

  it('ConditionalCheckFailed without If-Match → 409', async () => {
    const res = await failing(ccf())(httpEvent({ method: 'PUT' }), context)
    expect(res.statusCode).toBe(409)
  })

  it('ConditionalCheckFailed inside a TransactionCanceled → 409', async () => {
    const err = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
    })
    const res = await failing(err)(httpEvent({ method: 'PUT' }), context)
    expect(res.statusCode).toBe(409)
  })

  it('anything else → 500 with a generic detail and no stack', async () => {
    // Prepare
    const err = new Error('secret table crm-prod-contacts-main exploded')
    // Act
    const res = await failing(err)(httpEvent({ method: 'GET' }), context)
    // Assess
    expect(res.statusCode).toBe(500)
    expect(res.body).not.toContain('exploded')
    expect(res.body).not.toContain('at ')
    expect(res.body).not.toContain('.ts')
    expect(bodyOf(res)).toMatchObject({ status: 500, title: 'Internal Server Error' })
  })

  it('a handler that returns no HttpResult → 500', async () => {
    const handler = http({ roles: WRITERS, handle: async () => undefined as never })
    const res = await handler(httpEvent({ method: 'GET' }), context)
    expect(res.statusCode).toBe(500)
  })

  it('an outcome keeps its extra members', async () => {
    const res = await failing(new Conflict('taken', { existingId: 'c9' }))(
      httpEvent({ method: 'GET' }),
      context,
    )
    expect(bodyOf(res)).toMatchObject({ existingId: 'c9' })
  })
})
