/** What a client sends that the stack refuses before any handler runs (issue 9.3). */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { httpKit } from '../src/kit.js'
import { route, WRITERS } from '../src/manifest.js'
import { bodyOf, context, httpEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

const http = httpKit({ service: 'corebody' })

const createNote = route({
  method: 'POST',
  path: '/notes',
  function: 'create-note',
  roles: WRITERS,
  summary: 'Create a note',
  body: z.strictObject({
    title: z.string(),
    meta: z.optional(z.record(z.string(), z.unknown())),
    tags: z.optional(z.array(z.string())),
  }),
})

const listNotes = route({
  method: 'GET',
  path: '/notes',
  function: 'list-notes',
  roles: WRITERS,
  summary: 'List notes',
})

const searchNotes = route({
  method: 'GET',
  path: '/notes/search',
  function: 'search-notes',
  roles: WRITERS,
  summary: 'Search notes',
  // A plain (not strict) object: unknown parameters must still be refused.
  query: z.object({ q: z.string() }),
})

function setup() {
  const handle = vi.fn(async () => ({ status: 201, body: { ok: true } }))
  return { handle, create: http(createNote, handle) }
}

const fields = (res: { body?: string }) =>
  (bodyOf(res).errors as { field: string; code: string }[]).map((e) => [e.field, e.code])

describe('JSON bodies, strictly', () => {
  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/xml',
    'application/json; charset=latin1',
  ])('415 problem for Content-Type %s', async (type) => {
    // Prepare
    const { create, handle } = setup()
    // Act
    const res = await create(httpEvent({ body: { title: 'x' }, headers: { 'content-type': type } }), context)
    // Assess
    expect(res.statusCode).toBe(415)
    expect(res.headers?.['content-type']).toBe('application/problem+json')
    expect(bodyOf(res)).toMatchObject({ status: 415, title: 'Unsupported Media Type' })
    expect(handle).not.toHaveBeenCalled()
  })

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'application/merge-patch+json',
    'APPLICATION/JSON',
  ])('accepts %s', async (type) => {
    const { create } = setup()
    const res = await create(httpEvent({ body: { title: 'x' }, headers: { 'content-type': type } }), context)
    expect(res.statusCode).toBe(201)
  })

  it('400 on field body for invalid UTF-8 in a base64 body', async () => {
    // Prepare: 0xC3 0x28 is not UTF-8.
    const bytes = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])
    const { create, handle } = setup()
    // Act
    const res = await create(
      { ...httpEvent(), body: bytes.toString('base64'), isBase64Encoded: true },
      context,
    )
    // Assess
    expect(res.statusCode).toBe(400)
    expect(fields(res)).toEqual([['body', 'invalid_utf8']])
    expect(handle).not.toHaveBeenCalled()
  })

  it.each([
    ['an escaped lone high surrogate', '{"title":"a\\uD800b"}', 'title'],
    ['an escaped lone low surrogate in an array', '{"title":"ok","tags":["x","\\uDC00"]}', 'tags.1'],
    ['a raw lone surrogate', `{"title":"a${'\uD800'}"}`, 'title'],
    ['a lone surrogate in a key', '{"title":"x","meta":{"\\uD83D":1}}', 'meta.\uFFFD'],
  ])('400 naming the field for %s', async (_name, body, field) => {
    const { create, handle } = setup()
    const res = await create(httpEvent({ body }), context)
    expect(res.statusCode).toBe(400)
    expect(fields(res)).toEqual([[field, 'invalid_unicode']])
    expect(handle).not.toHaveBeenCalled()
  })

  it('accepts a well-formed surrogate pair', async () => {
    const { create } = setup()
    const res = await create(httpEvent({ body: '{"title":"\\uD83D\\uDE00 ok 😀"}' }), context)
    expect(res.statusCode).toBe(201)
  })

  it.each([
    ['__proto__ at the top', '{"title":"x","__proto__":{"admin":true}}', '__proto__'],
    ['constructor nested', '{"title":"x","meta":{"constructor":{"prototype":{}}}}', 'meta.constructor'],
    [
      'prototype in an array item',
      '{"title":"x","meta":{"list":[{"prototype":1}]}}',
      'meta.list.0.prototype',
    ],
  ])('400 naming the field for a prototype key: %s', async (_name, body, field) => {
    const { create, handle } = setup()
    const res = await create(httpEvent({ body }), context)
    expect(res.statusCode).toBe(400)
    expect(fields(res)).toEqual([[field, 'forbidden_key']])
    expect(handle).not.toHaveBeenCalled()
  })

  it('a deeply nested body is a 400 or its validation, never a crash', async () => {
    const { create } = setup()
    const deep = `{"title":"x","meta":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`
    const res = await http(route({ ...createNote, maxBodyBytes: 100_000 }), async () => ({ status: 201 }))(
      httpEvent({ body: deep }),
      context,
    )
    expect(res.statusCode).toBe(201)
    expect((await create(httpEvent({ body: deep }), context)).statusCode).toBe(201)
  })
})

describe('query parameters, the same on every route', () => {
  it('a route without a query schema refuses any parameter, naming it', async () => {
    const handler = http(listNotes, async () => ({ status: 200, body: [] }))
    const res = await handler(httpEvent({ method: 'GET', query: { limit: '5', x: '1' } }), context)
    expect(res.statusCode).toBe(400)
    expect(fields(res).sort()).toEqual([
      ['query.limit', 'unrecognized_keys'],
      ['query.x', 'unrecognized_keys'],
    ])
  })

  it('a plain object schema refuses unknown parameters as a strict one does', async () => {
    const handler = http(searchNotes, async ({ query }) => ({ status: 200, body: query }))
    const bad = await handler(httpEvent({ method: 'GET', query: { q: 'a', limit: '5' } }), context)
    const good = await handler(httpEvent({ method: 'GET', query: { q: 'a' } }), context)
    expect(bad.statusCode).toBe(400)
    expect(fields(bad)).toEqual([['query.limit', 'unrecognized_keys']])
    expect(bodyOf(good)).toEqual({ q: 'a' })
  })

  it('a lone surrogate in a query value or path parameter is a 400 naming it', async () => {
    const handler = http(searchNotes, async () => ({ status: 200 }))
    const res = await handler(
      httpEvent({ method: 'GET', query: { q: 'a\uD800' }, params: { id: '\uDC00' } }),
      context,
    )
    expect(res.statusCode).toBe(400)
    expect(fields(res)).toEqual([
      ['query.q', 'invalid_unicode'],
      ['params.id', 'invalid_unicode'],
    ])
  })
})
