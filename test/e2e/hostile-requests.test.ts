/**
 * Hostile requests to every operation of the served OpenAPI document, through the local gateway:
 * first the cases the probe of issue 9 found (bad percent-encoding, `..`, lone surrogates, invalid
 * UTF-8, prototype keys, text/plain, bad If-Match and Idempotency-Key, unknown query parameters),
 * then fast-check's random and hostile bodies (wrong types, deep nesting, huge numbers), paths,
 * headers and query strings. Whatever is sent: never a 5xx, every error is problem+json with its
 * status, and a rejected request stores nothing (the collection's count, or the record's ETag, is
 * as before). Each operation runs on its own tenant, so the counts are its own.
 */

import type { Role } from '@relay/core/manifest'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { services } from '../../services/index.js'
import {
  type Answer,
  type Api,
  pathSeeder,
  type RealRequest,
  realRequest,
  routeEntries,
  startApi,
} from './harness.js'

/** Random cases per operation: the whole file stays well under a minute on a shared machine. */
const NUM_RUNS = 12

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
}
interface Operation {
  security: unknown[]
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { example?: unknown }> }
  'x-roles'?: Role[]
  'x-max-body-bytes'?: number
}
interface Target {
  name: string
  method: string
  template: string
  op: Operation
}
interface Spec {
  /** What the case is, for the failure message. */
  what: string
  path: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  /** The status the case must get, when the issue says it. */
  expect?: number | 'error'
}

let api: Api
let targets: Target[] = []
const entries = new Map(routeEntries(services).map((e) => [e.name, e]))
/** The status each operation gave an unknown query parameter: the same on every route. */
const unknownQueryAnswers = new Map<string, number>()

beforeAll(async () => {
  api = await startApi()
  const res = await api.call('GET', '/openapi.json')
  if (res.status !== 200) throw new Error(`GET /openapi.json: ${res.status} ${res.text}`)
  const paths = res.body.paths as Record<string, Record<string, Operation>>
  targets = Object.entries(paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, op]) => ({
      name: `${method.toUpperCase()} ${template}`,
      method: method.toUpperCase(),
      template,
      op,
    })),
  )
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

// ------------------------------------------------------------------------------------------------
// What a hostile client sends

/** Path segments that are not ids: malformed escapes, dot segments (plain and encoded), odd bytes. */
const HOSTILE_SEGMENTS = [
  '%E0%A4%A',
  '%ZZ',
  '%',
  '%%30',
  '..',
  '.',
  '%2e%2e',
  '%2E%2e',
  '..%2F..',
  '%2F',
  '%00',
  '%C0%AF',
  '%ED%A0%80',
  '%F0%9F%98%80',
  '%EF%BF%BF',
  'ü',
  '%C3%BC',
  '%u0041',
  '%20',
  ';x=1',
  'x'.repeat(2048),
]
/** Dot segments, raw or percent-encoded: a path holding one must not resolve to another route. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$|%2f)/i

/** Malformed If-Match values (a well-formed one is `"3"`, `W/"3"`, `3` or `*`). */
const BAD_IF_MATCH = [
  '"abc"',
  'W/',
  '"1", "2"',
  '""',
  '"-1"',
  '"1.5"',
  '1e400',
  '"9999999999999999999999"',
  'W/"x"',
]
const BAD_IDEMPOTENCY_KEYS = ['', 'k'.repeat(256), 'k'.repeat(8192)]
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/jsonx',
  'application/xml',
  'json',
  'APPLICATION/JSON',
  'application/json;;;',
  '*/*',
]

/** A number JSON.stringify cannot write: put into a value as this marker, replaced after stringify. */
const RAW = (token: string) => `\u0000RAW:${token}\u0000`
const RAW_NUMBERS = ['1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0', '0.1e999999']
const toJson = (value: unknown) =>
  JSON.stringify(value).replace(/"\\u0000RAW:([^\\]+)\\u0000"/g, (_m, token: string) => token)

const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'a\ud83d', '\ude00b')
const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    'a.b',
    '$where',
  ),
  fc.string({ maxLength: 12 }),
)
const hostileString = fc.oneof(
  loneSurrogate,
  fc.constantFrom(
    '\u0000',
    '\u202e',
    '\ufeff',
    'e\u0301',
    '<script>',
    "' OR 1=1 --",
    '{{7*7}}',
    '../../etc/passwd',
  ),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)),
)
const hostileNumber = fc.oneof(
  fc.constantFrom(...RAW_NUMBERS).map(RAW),
  fc.constantFrom(
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER + 2,
    5e-324,
    0.30000000000000004,
  ),
  fc.double(),
)
const { value: hostileValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }),
  ),
}))

/** Bodies: the example with a field of the wrong type or a hostile key added, anything, nesting, bad bytes. */
function hostileBody(example: unknown): fc.Arbitrary<{ what: string; body: string | Uint8Array }> {
  const fields = example && typeof example === 'object' && !Array.isArray(example) ? Object.keys(example) : []
  const base = (example ?? {}) as Record<string, unknown>
  const arbitraries: fc.Arbitrary<{ what: string; body: string | Uint8Array }>[] = [
    hostileValue.map((v) => ({ what: 'any value', body: toJson(v) })),
    fc.tuple(hostileKey, hostileValue).map(([k, v]) => ({
      what: `example + ${JSON.stringify(k)}`,
      body: toJson({ ...base, [k]: v }),
    })),
    fc.tuple(fc.integer({ min: 50, max: 5000 }), fc.boolean()).map(([depth, arrays]) => ({
      what: `nesting ${depth} deep`,
      body: arrays
        ? `${'['.repeat(depth)}${']'.repeat(depth)}`
        : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    })),
    fc
      .tuple(fc.nat(), fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe0, 0xa4], [0xf8, 0x88]))
      .map(([at, bad]) => {
        const text = Buffer.from(toJson({ ...base, note: 'x' }))
        const cut = 2 + (at % Math.max(1, text.length - 4))
        return {
          what: `invalid UTF-8 at byte ${cut}`,
          body: Buffer.concat([text.subarray(0, cut), Buffer.from(bad), text.subarray(cut)]),
        }
      }),
    fc.string({ maxLength: 40 }).map((s) => ({ what: 'not JSON', body: `{${s}` })),
  ]
  if (fields.length) {
    arbitraries.push(
      fc.tuple(fc.constantFrom(...fields), hostileValue).map(([field, v]) => ({
        what: `example.${field} = hostile`,
        body: toJson({ ...base, [field]: v }),
      })),
    )
  }
  return fc.oneof(...arbitraries)
}

/** A query string from the operation's own parameters and unknown ones, with hostile values and escapes. */
function hostileQuery(known: string[]): fc.Arbitrary<string> {
  const name = fc.oneof(
    fc.constantFrom(...known, 'zz', '__proto__', 'constructor', 'a[b]', 'limit', 'cursor', ''),
    fc.string({ maxLength: 8 }),
  )
  const value = fc.oneof(
    hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
    fc.constantFrom('%ZZ', '%E0%A4%A', '%ED%A0%80', '-1', '1e9', '0', 'NaN', '[]', '%00', ''),
  )
  return fc
    .array(fc.tuple(name, value), { minLength: 1, maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${v}`).join('&'))
}

/** Every `{name}` of the template filled from the real path; `replace` swaps one segment. */
function fill(template: string, real: string, replace?: { index: number; segment: string }): string {
  const parts = real.split('/')
  const params = template
    .split('/')
    .map((p, i) => (/^\{.+\}$/.test(p) ? i : -1))
    .filter((i) => i >= 0)
  if (replace && params.length) parts[params[replace.index % params.length]!] = replace.segment
  return parts.join('/')
}

// ------------------------------------------------------------------------------------------------
// What must hold for every answer

function check(spec: Spec, res: Answer) {
  const what = `${spec.what}: ${spec.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`
  expect.soft(res.status, what).toBeLessThan(500)
  if (res.status >= 400) {
    expect.soft(res.headers.get('content-type') ?? '', what).toContain('application/problem+json')
    expect.soft(res.body?.status, what).toBe(res.status)
  }
  if (DOT_SEGMENT.test(spec.path.split('?')[0]!))
    expect.soft(res.status, `${what}: resolved a dot segment`).toBeGreaterThanOrEqual(400)
  if (spec.expect === 'error') expect.soft(res.status, what).toBeGreaterThanOrEqual(400)
  else if (spec.expect !== undefined) expect.soft(res.status, what).toBe(spec.expect)
}

/** How to tell, after the fact, whether a request stored something: a list's count or a record's ETag. */
interface Witness {
  read(): Promise<string | undefined>
}

async function countAll(path: string, token: string): Promise<string> {
  let n = 0
  let cursor: string | undefined
  do {
    const res = await api.call(
      'GET',
      `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      {
        token,
      },
    )
    if (res.status !== 200 || !Array.isArray(res.body?.items)) return `GET ${path}: ${res.status}`
    n += res.body.items.length
    cursor = res.body.nextCursor
  } while (cursor)
  return String(n)
}

function witnessOf(t: Target, real: RealRequest, token: string | undefined): Witness | undefined {
  if (!token || t.method === 'GET') return undefined
  const getter = targets.find((g) => g.method === 'GET' && g.template === t.template)
  if (!getter) return undefined
  if (t.method === 'POST' && !t.template.endsWith('}')) return { read: () => countAll(real.path, token) }
  return {
    read: async () => {
      const res = await api.call('GET', real.path, { token })
      // A read that fails (GET /quotas wants ?period=) sees no record: no witness, rather than a
      // comparison of two error bodies that differ by their correlationId.
      if (res.status >= 400) return undefined
      return `${res.status} ${res.headers.get('etag') ?? res.text}`
    },
  }
}

// ------------------------------------------------------------------------------------------------

describe('hostile requests to every operation of the OpenAPI document', () => {
  it('has every manifest route in the document', () => {
    expect(targets.map((t) => t.name).sort()).toEqual([...entries.keys()].sort())
  })

  const names = [...entries.keys()]
  it.each(names.map((n, i) => [n, i] as const))('%s', async (name, index) => {
    const t = targets.find((x) => x.name === name)
    if (!t) throw new Error(`${name} is not in the OpenAPI document`)
    const entry = entries.get(name)!
    const tenant = `hostile-${index}`
    const isPublic = t.op.security.length === 0
    const roles = t.op['x-roles'] ?? []
    const token = isPublic
      ? undefined
      : await api.token(tenant, [roles.includes('admin') ? 'admin' : roles[0]!])
    const real = await realRequest(api, tenant, pathSeeder(api, tenant), entry, { rateLimitPerMinute: 600 })
    const params = t.op.parameters ?? []
    const hasPathParams = params.some((p) => p.in === 'path')
    const queryNames = params.filter((p) => p.in === 'query').map((p) => p.name)
    const takesIfMatch = params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match')
    const example = t.op.requestBody?.content['application/json']?.example
    const takesBody = t.op.requestBody !== undefined
    const jsonExample = takesBody ? toJson(example ?? {}) : undefined
    const witness = witnessOf(t, real, token)
    const before = await witness?.read()
    let stored = 0

    const send = async (spec: Spec) => {
      const headers: Record<string, string> = { ...real.headers, ...spec.headers }
      if (token) headers.authorization = `Bearer ${token}`
      const body = spec.body ?? jsonExample
      if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['content-type'] = 'application/json'
      const res = await api.raw(t.method, spec.path, { headers, body })
      if (res.status < 300 && res.headers.get('idempotency-replayed') !== 'true') stored++
      check(spec, res)
      return res
    }

    // The issue's cases, on every operation they apply to.
    const fixed: Spec[] = [
      { what: 'dot segment after the path', path: `${real.path}/..`, expect: 'error' },
      { what: 'encoded dot segment after the path', path: `${real.path}/%2e%2e`, expect: 'error' },
      { what: 'unknown path below', path: `${real.path}/%ZZ`, expect: 'error' },
    ]
    if (hasPathParams) {
      for (const segment of ['%E0%A4%A', '%ZZ', '%'])
        fixed.push({
          what: `path id ${segment}`,
          path: fill(t.template, real.path, { index: 0, segment }),
          expect: 400,
        })
      for (const segment of ['..', '%2e%2e', '.'])
        fixed.push({
          what: `path id ${segment}`,
          path: fill(t.template, real.path, { index: 0, segment }),
          expect: 'error',
        })
    }
    if (takesBody) {
      const base = (example ?? {}) as Record<string, unknown>
      // As deep as 10 000 levels while under the route's body limit, so the nesting is what is refused.
      const depth = Math.min(10_000, Math.floor(((t.op['x-max-body-bytes'] ?? 65_536) - 2) / 2))
      const stringField = Object.entries(base).find(([, v]) => typeof v === 'string')?.[0] ?? 'note'
      const numberField = Object.entries(base).find(([, v]) => typeof v === 'number')?.[0] ?? stringField
      // Raw bytes inside the value of a string field, so only the bytes are wrong.
      const withBytes = (bytes: number[]) => {
        const [head, tail] = toJson({ ...base, [stringField]: '\u0001MARK' }).split('\\u0001MARK')
        return Buffer.concat([Buffer.from(head!), Buffer.from(bytes), Buffer.from(tail!)])
      }
      fixed.push(
        // JSON.stringify escapes a lone surrogate (\ud800), which JSON.parse turns back into one.
        {
          what: 'lone surrogate (escaped)',
          path: real.path,
          body: toJson({ ...base, [stringField]: '\ud800' }),
          expect: 400,
        },
        {
          what: 'lone surrogate in a key',
          path: real.path,
          body: toJson({ ...base, ['k\udc00']: 'v' }),
          expect: 400,
        },
        {
          what: 'surrogate as UTF-8 bytes',
          path: real.path,
          body: withBytes([0xed, 0xa0, 0x80]),
          expect: 400,
        },
        { what: 'invalid UTF-8', path: real.path, body: withBytes([0xc3, 0x28]), expect: 400 },
        { what: 'text/plain', path: real.path, headers: { 'content-type': 'text/plain' }, expect: 415 },
        {
          what: `nesting ${depth} deep`,
          path: real.path,
          body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
          expect: 400,
        },
        ...RAW_NUMBERS.map((n) => ({
          what: `${numberField} = ${n}`,
          path: real.path,
          body: toJson({ ...base, [numberField]: RAW(n) }),
        })),
      )
    }
    for (const c of BAD_IF_MATCH)
      fixed.push({
        what: `If-Match ${c}`,
        path: real.path,
        headers: { 'if-match': c },
        ...(takesIfMatch ? { expect: 400 } : {}),
      })
    if (t.method === 'POST')
      for (const k of BAD_IDEMPOTENCY_KEYS)
        fixed.push({
          what: `Idempotency-Key of ${k.length}`,
          path: real.path,
          headers: { 'idempotency-key': k },
          expect: 400,
        })
    for (const spec of fixed) await send(spec)

    if (takesBody) {
      const base = (example ?? {}) as Record<string, unknown>
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        for (const [where, text] of [
          ['top level', toJson(base).replace(/^\{/, `{"${key}":{"isAdmin":true},`).replace(',}', '}')],
          ['nested', toJson({ ...base, nested: { [key]: { polluted: true } } })],
        ] as const) {
          const res = await send({ what: `${key} key at ${where}`, path: real.path, body: text, expect: 400 })
          const fields = ((res.body?.errors ?? []) as { field: string }[]).map((e) => e.field)
          expect
            .soft(
              fields.some((f) => f.split('.').includes(key)),
              `${key} at ${where} not named: ${res.text.slice(0, 300)}`,
            )
            .toBe(true)
        }
      }
      expect.soft(({} as Record<string, unknown>).isAdmin, 'Object.prototype polluted').toBeUndefined()
    }

    const unknown = await send({ what: 'unknown query parameter', path: `${real.path}?zz-unknown=1` })
    unknownQueryAnswers.set(name, unknown.status)

    // Random and hostile: bodies, paths, headers, query strings.
    const cases: fc.Arbitrary<Spec>[] = [
      hostileQuery(queryNames).map((q) => ({ what: `query ${q.slice(0, 80)}`, path: `${real.path}?${q}` })),
      fc
        .record({
          ifMatch: fc.option(
            fc.oneof(fc.constantFrom(...BAD_IF_MATCH), fc.string({ unit: 'grapheme-ascii', maxLength: 20 })),
          ),
          key: fc.option(
            fc.oneof(
              fc.constantFrom(...BAD_IDEMPOTENCY_KEYS),
              fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
            ),
          ),
          type: fc.option(fc.constantFrom(...CONTENT_TYPES)),
        })
        .map(({ ifMatch, key, type }) => ({
          what: `headers if-match=${ifMatch} key=${key?.slice(0, 20)} type=${type}`,
          path: real.path,
          headers: {
            ...(ifMatch !== null ? { 'if-match': ifMatch } : {}),
            ...(key !== null ? { 'idempotency-key': key } : {}),
            ...(type !== null ? { 'content-type': type } : {}),
          },
        })),
      fc
        .oneof(
          fc.tuple(fc.nat(), fc.constantFrom(...HOSTILE_SEGMENTS)).map(([i, s]) => ({ i, s })),
          fc
            .tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 12 }))
            .map(([i, s]) => ({ i, s: encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) })),
        )
        .map(({ i, s }) => ({
          what: `path segment ${s.slice(0, 40)}`,
          path: hasPathParams ? fill(t.template, real.path, { index: i, segment: s }) : `${real.path}/${s}`,
        })),
    ]
    if (takesBody) cases.push(hostileBody(example).map(({ what, body }) => ({ what, path: real.path, body })))
    await fc.assert(
      fc.asyncProperty(fc.oneof(...cases), async (spec) => {
        await send(spec)
      }),
      { numRuns: NUM_RUNS },
    )

    // Nothing stored by what was refused: the count grew by at most what was accepted (an accepted
    // create may store nothing new: suppressing an address already suppressed answers with the
    // entry it has), a refused write left its record as it was.
    if (witness && before !== undefined) {
      const after = await witness.read()
      if (t.method === 'POST' && /^\d+$/.test(before)) {
        expect(Number(after), `count of ${real.path}`).toBeGreaterThanOrEqual(Number(before))
        expect(Number(after), `count of ${real.path}`).toBeLessThanOrEqual(Number(before) + stored)
      } else if (stored === 0) expect(after, `record ${real.path} after refused requests`).toBe(before)
    }
  })

  // Last: a walk quadratic in the depth would keep the runtime busy for the tests after it.
  it('answers a body nested as deep as its size limit allows in a few seconds at most', async () => {
    const t = targets.find((x) => x.name === 'POST /contacts')!
    const limit = t.op['x-max-body-bytes'] ?? 65_536
    const depth = Math.floor((limit - 2) / 2)
    const token = await api.token('hostile-nesting', ['admin'])
    for (const body of [
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `${'{"a":'.repeat(Math.floor(depth / 3))}1${'}'.repeat(Math.floor(depth / 3))}`,
    ]) {
      const started = Date.now()
      const res = await api.raw('POST', '/contacts', {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
        timeoutMs: 5000,
      })
      expect(res.status, res.text.slice(0, 300)).toBe(400)
      expect(Date.now() - started, `${body.length} bytes nested ${depth} deep`).toBeLessThan(3000)
    }
  })

  it('treats an unknown query parameter the same way on every route', () => {
    const outcome = (s: number) => (s === 400 ? 'refused' : s < 300 ? 'accepted' : `answered ${s}`)
    const byOutcome = new Map<string, string[]>()
    for (const [name, status] of unknownQueryAnswers)
      byOutcome.set(outcome(status), [...(byOutcome.get(outcome(status)) ?? []), name])
    expect(Object.fromEntries(byOutcome), 'routes by their answer to ?zz-unknown=1').toEqual({
      refused: [...unknownQueryAnswers.keys()],
    })
  })
})
