/**
 * Checks that hold for every route of every manifest, so a route added tomorrow is covered without
 * a new test: authentication, role checks, tenant isolation, and no 5xx for any body.
 */

import { ROLES, type Role } from '@relay/core/manifest'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { services } from '../../services/index.js'
import { type Api, pathSeeder, routeEntries, startApi, withMissingIds } from './harness.js'

const entries = routeEntries(services)
const protectedEntries = entries.filter((e) => e.route.roles !== 'public')
const OWNER = 'tenant-a'
const STRANGER = 'tenant-b'

let api: Api
let resolvePath: ReturnType<typeof pathSeeder>

beforeAll(async () => {
  api = await startApi()
  resolvePath = pathSeeder(api, OWNER)
}, 120_000)
afterAll(async () => {
  await api?.stop()
})

describe('every protected route', () => {
  it('has routes to check', () => {
    expect(protectedEntries.length).toBeGreaterThan(0)
  })

  it.each(protectedEntries.map((e) => [e.name, e] as const))('%s: no token → 401', async (_name, e) => {
    const res = await api.call(e.route.method, withMissingIds(e.route.path), { body: e.route.example })
    expect(res.status).toBe(401)
  })

  it.each(protectedEntries.map((e) => [e.name, e] as const))(
    '%s: a role not allowed → 403',
    async (_n, e) => {
      const allowed = e.route.roles as readonly Role[]
      const denied = ROLES.filter((r) => !allowed.includes(r))
      for (const role of denied) {
        const token = await api.token(OWNER, [role])
        const res = await api.call(e.route.method, withMissingIds(e.route.path), {
          token,
          body: e.route.example,
        })
        expect(res.status, `${role}: ${res.text}`).toBe(403)
        expect(res.headers.get('content-type')).toContain('application/problem+json')
      }
    },
  )

  it.each(protectedEntries.map((e) => [e.name, e] as const))(
    '%s: every allowed role gets past auth',
    async (_n, e) => {
      for (const role of e.route.roles as readonly Role[]) {
        const token = await api.token(OWNER, [role])
        const res = await api.call(e.route.method, withMissingIds(e.route.path), {
          token,
          body: e.route.example,
        })
        expect([401, 403], `${role}: ${res.text}`).not.toContain(res.status)
        expect(res.status, res.text).toBeLessThan(500)
      }
    },
  )

  // Path parameters that name something every tenant has (a report), not a record one tenant owns:
  // a stranger reads its own copy, so there is no other tenant's record to miss.
  const SHARED_NAMES = new Set(['GET /analytics/reports/{name}'])
  const withParams = protectedEntries.filter((e) => e.route.path.includes('{') && !SHARED_NAMES.has(e.name))
  it.each(withParams.map((e) => [e.name, e] as const))("%s: another tenant's record → 404", async (_n, e) => {
    const path = await resolvePath(e.manifest, e.route.path)
    if (!path) throw new Error(`no POST route with an example creates the records under ${e.route.path}`)
    const token = await api.token(STRANGER, e.route.roles as readonly Role[])
    const res = await api.call(e.route.method, path, { token, body: e.route.example })
    expect(res.status, res.text).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    // The owner's record is untouched by the stranger's attempt.
    const getter = e.manifest.routes.find((r) => r.method === 'GET' && r.path === e.route.path)
    if (getter) {
      const own = await api.call('GET', path, { token: await api.token(OWNER, ['admin']) })
      expect(own.status, own.text).toBe(200)
    }
  })
})

describe('every route under random input', () => {
  const anyBody = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
    fc.string({ maxLength: 64 }).map((s) => ({ raw: s })),
  )
  const anyQuery = fc.dictionary(
    fc.constantFrom('limit', 'cursor', 'q', 'sort', 'tag', 'x'),
    fc.string({ maxLength: 20 }),
    { maxKeys: 3 },
  )

  it.each(entries.map((e) => [e.name, e] as const))(
    '%s: never a 5xx, errors are problem+json',
    async (_n, e) => {
      const token = await api.token(OWNER, ['admin'])
      await fc.assert(
        fc.asyncProperty(anyBody, anyQuery, async (body, query) => {
          const qs = new URLSearchParams(query).toString()
          const path = `${withMissingIds(e.route.path)}${qs ? `?${qs}` : ''}`
          const hasBody = e.route.method !== 'GET' && e.route.method !== 'DELETE'
          const raw =
            hasBody && typeof body === 'object' && body !== null && 'raw' in body
              ? String(body.raw)
              : undefined
          const res = await api.call(e.route.method, path, {
            token,
            ...(hasBody ? (raw !== undefined ? { rawBody: raw } : { body }) : {}),
          })
          expect(res.status, res.text).toBeLessThan(500)
          if (res.status >= 400) {
            expect(res.headers.get('content-type')).toContain('application/problem+json')
            expect(res.body?.status).toBe(res.status)
          }
        }),
        { numRuns: 25 },
      )
    },
  )
})
