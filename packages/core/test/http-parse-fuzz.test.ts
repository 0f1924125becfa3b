/**
 * The parse and validate steps under random and hostile input (property): whatever the body,
 * content type, encoding, query or path, the answer is the handler's or a 4xx problem+json, never
 * a 5xx, and a refused request never reaches the handler.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import fc from 'fast-check'
import { afterEach, describe, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { httpKit } from '../src/kit.js'
import { route } from '../src/manifest.js'
import { context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

const http = httpKit({ service: 'coreparsefuzz' })
const upsert = route({
  method: 'PUT',
  path: '/things/{id}',
  function: 'upsert',
  roles: ['admin'],
  summary: 'Upsert',
  body: z.strictObject({
    name: z.string().check(z.minLength(1), z.maxLength(50)),
    meta: z.optional(z.record(z.string(), z.unknown())),
    tags: z.optional(z.array(z.string())),
  }),
  query: z.strictObject({ dryRun: z.optional(z.enum(['true', 'false'])) }),
  maxBodyBytes: 4096,
})

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', '\uD800', 'name', 'x')
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\uD800', '\uDFFF', 'a\uD83D', '\\uD800', '😀'),
)
const hostileJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('value'), { maxKeys: 4 }),
  ),
})).value

/** JSON text whose `__proto__` keys stay own keys, as a client would send them. */
const asText = (value: unknown) =>
  JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v)) : v,
  ) ?? ''

const body = fc.oneof(
  hostileJson.map(asText),
  fc.record({ name: hostileString, meta: fc.option(hostileJson) }).map(asText),
  fc.constantFrom('{"name":"a","__proto__":{"x":1}}', '{"name":"\\uD800"}', '{', '[]', 'null', ''),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ base64: Buffer.from(bytes).toString('base64') })),
  fc.string({ minLength: 4097, maxLength: 5000 }),
)
const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'text/plain',
    'application/json; charset=utf-16',
    'application/x+json',
    '',
    ';;',
  ),
  { nil: undefined },
)
const query = fc.option(fc.dictionary(fc.oneof(fc.string(), hostileKey), hostileString, { maxKeys: 3 }), {
  nil: undefined,
})
const params = fc.record({ id: hostileString })

describe('parse and validate with hostile input (property)', () => {
  const handle = vi.fn(async (_req: unknown) => ({ status: 200, body: { ok: true } }))
  const handler = http(upsert, handle)

  it('never answers 5xx; every refusal is problem+json and never reaches the handler', async () => {
    await fc.assert(
      fc.asyncProperty(body, contentType, query, params, async (b, type, q, p) => {
        // Prepare
        handle.mockClear()
        const event = httpEvent({
          method: 'PUT',
          path: '/things/x',
          headers: type === undefined ? {} : { 'content-type': type },
          ...(q ? { query: q } : {}),
          params: p,
        })
        if (typeof b === 'string') event.body = b
        else Object.assign(event, { body: b.base64, isBase64Encoded: true })
        if (type === undefined) delete event.headers['content-type']
        // Act
        const res = await handler(event, context)
        // Assess
        const status = res.statusCode ?? 0
        if (status === 200) return handle.mock.calls.length === 1
        const problem = JSON.parse(res.body ?? '{}') as { status?: number }
        return (
          status >= 400 &&
          status < 500 &&
          res.headers?.['content-type'] === 'application/problem+json' &&
          problem.status === res.statusCode &&
          handle.mock.calls.length === 0
        )
      }),
      { numRuns: 400 },
    )
  })

  it('a handler reached always got a body with no prototype key and no lone surrogate', async () => {
    await fc.assert(
      fc.asyncProperty(hostileJson, async (meta) => {
        handle.mockClear()
        const res = await handler(
          httpEvent({
            method: 'PUT',
            path: '/things/x',
            params: { id: 'x' },
            body: asText({ name: 'n', meta }),
          }),
          context,
        )
        if (res.statusCode !== 200) return true
        const names: string[] = []
        JSON.stringify((handle.mock.calls[0]?.[0] as { body: unknown } | undefined)?.body, (key, v) => {
          names.push(key)
          if (typeof v === 'string') names.push(v)
          return v
        })
        return names.every(
          (n) => !['__proto__', 'constructor', 'prototype'].includes(n) && !/\p{Surrogate}/u.test(n),
        )
      }),
      { numRuns: 300 },
    )
  })
})
