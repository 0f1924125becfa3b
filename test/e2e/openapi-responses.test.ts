/**
 * The OpenAPI document tells the truth about every route: generated from the manifests, this drives
 * each route through the local gateway into the answers it can give and checks that every status
 * seen is declared for that route in the served `/openapi.json`, every error as problem+json with
 * its status, and `Retry-After` on 429 and 503. The probes: no token, a role not allowed, unknown
 * ids, a bad body, a text/plain body, a body over the limit, an unknown query parameter, no required
 * headers, a stale If-Match, and the manifest's `example` on real records (twice on a rate-limited
 * route; on a POST again under its Idempotency-Key, the replay, and with another body, 422).
 */

import { ROLES, type Role, type RouteDef } from '@relay/core/manifest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_BODY_BYTES } from '../../packages/contracts/src/openapi.js'
import { services } from '../../services/index.js'
import {
  type Answer,
  type Api,
  pathSeeder,
  realRequest,
  routeEntries,
  startApi,
  withMissingIds,
} from './harness.js'

const OWNER = 'tenant-openapi'
const entries = routeEntries(services)

let api: Api
let seedPath: ReturnType<typeof pathSeeder>
/** What a stale If-Match got on each PUT/PATCH/DELETE (412 where the route honours it). */
const stale412 = new Map<string, number>()
interface Operation {
  responses: Record<string, unknown>
  requestBody?: { content: Record<string, { schema?: unknown }> }
}
let doc: { paths: Record<string, Record<string, Operation>> }
const operation = (route: RouteDef) => doc.paths[route.path]?.[route.method.toLowerCase()] as Operation

const hasBody = (route: RouteDef) =>
  route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH'

/** A role the route allows; `admin` when it may, as the ownership rule lets admins do anything. */
function allowedRole(route: RouteDef): Role {
  if (route.roles === 'public') return 'admin'
  return route.roles.includes('admin') ? 'admin' : route.roles[0]!
}

beforeAll(async () => {
  api = await startApi()
  seedPath = pathSeeder(api, OWNER)
  const res = await api.call('GET', '/openapi.json')
  if (res.status !== 200) throw new Error(`GET /openapi.json: ${res.status} ${res.text}`)
  doc = res.body
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

describe('every route answers only what its OpenAPI operation declares', () => {
  it('has every route in the served document', () => {
    for (const e of entries)
      expect(doc.paths[e.route.path]?.[e.route.method.toLowerCase()], e.name).toBeDefined()
  })

  it.each(entries.map((e) => [e.name, e] as const))('%s', async (_name, e) => {
    const { route } = e
    const declared = Object.keys(operation(route)?.responses ?? {})
    const token = route.roles === 'public' ? undefined : await api.token(OWNER, [allowedRole(route)])
    const requiredHeaders = Object.entries(route.headers ?? {}).filter(([, h]) => h.required)

    /** Checks one answer against the document; `expected`, when given, is the status the probe must get. */
    const seen = (probe: string, res: Answer, expected?: number) => {
      const what = `${probe} → ${res.status} ${res.text.slice(0, 300)}`
      if (expected !== undefined) expect.soft(res.status, what).toBe(expected)
      expect.soft(declared, `${what}: status not declared`).toContain(String(res.status))
      if (res.status >= 400) {
        expect.soft(res.headers.get('content-type'), what).toContain('application/problem+json')
        expect.soft(res.body?.status, what).toBe(res.status)
        if (res.status === 429 || res.status === 503)
          expect.soft(res.headers.get('retry-after') ?? '', what).toMatch(/^\d+$/)
      }
    }
    const missing = withMissingIds(route.path)
    const example = route.example ?? {}
    const send = (path: string, opts: Parameters<Api['call']>[2] = {}) =>
      api.call(route.method, path, {
        token,
        ...(hasBody(route) && opts.rawBody === undefined ? { body: example } : {}),
        ...opts,
      })

    if (route.roles !== 'public') {
      seen('no token', await api.call(route.method, missing, hasBody(route) ? { body: example } : {}), 401)
      const denied = ROLES.find((r) => !(route.roles as readonly Role[]).includes(r))
      if (denied)
        seen(`role ${denied}`, await send(missing, { token: await api.token(OWNER, [denied]) }), 403)
    }
    if (route.path.includes('{')) seen('unknown ids', await send(missing))
    seen('unknown query parameter', await send(`${missing}?zz-unknown=1`))
    if (route.body) {
      seen('a body of the wrong type', await send(missing, { body: 'not an object' }), 400)
      seen(
        'a text/plain body',
        await send(missing, { rawBody: JSON.stringify(example), headers: { 'content-type': 'text/plain' } }),
        415,
      )
      const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
      seen('a body over the limit', await send(missing, { body: { padding: 'x'.repeat(limit) } }), 413)
    }

    // A rate-limited route allows one request a minute here, so the example sent twice shows its 429.
    const limited = route.errors?.[429] !== undefined
    const real = await realRequest(api, OWNER, seedPath, e, limited ? { rateLimitPerMinute: 1 } : {})
    if (requiredHeaders.length) seen('without its required headers', await send(real.path))
    const versioned = ['PUT', 'PATCH', 'DELETE'].includes(route.method)
    if (versioned) {
      const stale = await send(real.path, { headers: { ...real.headers, 'if-match': '"999999"' } })
      seen('a stale If-Match', stale)
      stale412.set(e.name, stale.status)
    }
    const key = `k-${e.name}-${Date.now()}`
    const keyed = route.method === 'POST' ? { ...real.headers, 'idempotency-key': key } : real.headers
    const success = await send(real.path, { headers: keyed })
    seen('the example', success)
    expect.soft(success.status, `the example → ${success.text.slice(0, 300)}`).toBeLessThan(500)
    if (limited) seen('the example again', await send(real.path, { headers: real.headers }), 429)
    else if (route.method === 'POST' && success.status < 300) {
      const replay = await send(real.path, { headers: keyed })
      seen('the example again, same Idempotency-Key', replay, success.status)
      expect.soft(replay.headers.get('idempotency-replayed'), 'replayed').toBe('true')
      // Another valid body: the example with a free-text field (no enum or format) changed within its schema.
      const base = example as Record<string, unknown>
      const schema = (operation(route).requestBody?.content['application/json']?.schema ?? {}) as {
        properties?: Record<string, Record<string, unknown>>
      }
      const changed = (k: string) => `${base[k]} 2`
      const field = Object.entries(schema.properties ?? {}).find(
        ([k, p]) =>
          typeof base[k] === 'string' &&
          p.type === 'string' &&
          !p.enum &&
          !p.format &&
          !p.const &&
          changed(k).length <= Number(p.maxLength ?? Infinity) &&
          (typeof p.pattern !== 'string' || new RegExp(p.pattern, 'u').test(changed(k))),
      )?.[0]
      const other = JSON.stringify(field ? { ...base, [field]: changed(field) } : base)
      seen(
        'another body, same Idempotency-Key',
        await send(real.path, { headers: { ...keyed, 'content-type': 'application/json' }, rawBody: other }),
        field ? 422 : undefined,
      )
    }
  })

  it('answers 412 to a stale If-Match on every PUT, PATCH and DELETE', () => {
    const ignoring = [...stale412].filter(([, status]) => status !== 412)
    expect(Object.fromEntries(ignoring), 'routes that did not answer 412 to If-Match: "999999"').toEqual({})
  })
})
