/**
 * End-to-end harness: one local runtime per test file (its own stage, so its own tables) on the
 * DynamoDB Local that the global setup started, driven only through HTTP like a real client.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Role, RouteDef, ServiceManifest } from '@relay/core/manifest'
import { signLink } from '@relay/core/signed-link'
import { type LocalRuntime, startLocal } from '@relay/local/runtime'
import { LINK_PURPOSE } from '../../services/campaigns/src/domain/send.js'
import { services } from '../../services/index.js'
import { CSAT_PURPOSE } from '../../services/service-desk/src/domain/csat.js'

export interface Api {
  url: string
  runtime: LocalRuntime
  /** Bearer token for a tenant and roles (user defaults to `u-<tenant>`). */
  token(tenant: string, roles: readonly Role[], user?: string): Promise<string>
  /** Fetch relative to the gateway, with JSON body and an optional token. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<Answer>
  /**
   * One request exactly as given: the path is sent byte for byte (fetch would resolve `..` and
   * `%2e%2e` and re-encode it), the body as bytes, no header added but `content-length`.
   */
  raw(
    method: string,
    path: string,
    opts?: { headers?: Record<string, string>; body?: string | Uint8Array; timeoutMs?: number },
  ): Promise<Answer>
  stop(): Promise<void>
}

export interface Answer {
  status: number
  headers: Headers
  body: any
  text: string
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return undefined
  }
}

/**
 * A local runtime on the suite's DynamoDB Local with every service, or only those named in `only`.
 * A test about one service's own flow names it: every subscriber of the others otherwise takes each
 * of its events too (a 600-row import is 600 Contact.Created for five services' projections), and
 * on two cores that turns a minute into several.
 */
export async function startApi(options: { only?: readonly string[] } = {}): Promise<Api> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-e2e-'))
  const stage = `e2e${Math.random().toString(36).slice(2, 8)}`
  const only = options.only
  const unknown = only?.filter((name) => !services.some((s) => s.manifest.name === name)) ?? []
  if (unknown.length) throw new Error(`startApi: no service ${unknown.join(', ')}`)
  const runtime = await startLocal({
    port: 0,
    stage,
    dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT,
    services: only ? services.filter((s) => only.includes(s.manifest.name)) : services,
    quiet: true,
  })
  const call: Api['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers.authorization = `Bearer ${opts.token}`
    let body: string | undefined = opts.rawBody
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] ??= 'application/json'
    }
    // A redirect (the click tracker's 302) is an answer to check, not one to follow.
    const res = await fetch(new URL(path, runtime.url), { method, headers, body, redirect: 'manual' })
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: parseJson(text), text }
  }
  const raw: Api['raw'] = (method, path, opts = {}) =>
    new Promise((resolve, reject) => {
      const { hostname, port } = new URL(runtime.url)
      const body = opts.body === undefined ? undefined : Buffer.from(opts.body)
      const req = request(
        {
          hostname,
          port,
          method,
          path,
          headers: { ...opts.headers, ...(body ? { 'content-length': body.length } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            const headers = new Headers()
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v)
            }
            resolve({ status: res.statusCode ?? 0, headers, body: parseJson(text), text })
          })
        },
      )
      req.on('error', reject)
      if (opts.timeoutMs) {
        const ms = opts.timeoutMs
        req.setTimeout(ms, () =>
          req.destroy(new Error(`${method} ${path.slice(0, 100)}: no answer within ${ms} ms`)),
        )
      }
      req.end(body)
    })
  return {
    url: runtime.url,
    runtime,
    token: (tenant, roles, user) => runtime.token(tenant, [...roles], user ?? `u-${tenant}`),
    call,
    raw,
    async stop() {
      await runtime.stop()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Polls `probe` until it returns a truthy value or the deadline passes; returns the last value. */
export async function eventually<T>(probe: () => Promise<T>, timeoutMs = 5_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await probe()
  while (!last && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs))
    last = await probe()
  }
  return last
}

/** One route of one manifest, named `METHOD /path` as API Gateway's route key. */
export interface RouteEntry {
  manifest: ServiceManifest
  route: RouteDef
  name: string
}

/** Every route of the given manifests. */
export function routeEntries(services: readonly { manifest: ServiceManifest }[]): RouteEntry[] {
  return services.flatMap(({ manifest }) =>
    manifest.routes.map((route) => ({ manifest, route, name: `${route.method} ${route.path}` })),
  )
}

/** A well-formed id (ULID) that no record has. */
export const MISSING_ID = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

/** The route's path with every `{param}` filled with {@link MISSING_ID}. */
export const withMissingIds = (path: string) => path.replace(/\{[^}]+\}/g, MISSING_ID)

/**
 * Fills each `{param}` of a path with a record of `tenant`, created through the manifest's own POST
 * route on the collection above it and that route's `example`; undefined when no such route exists.
 * Records are reused per collection unless `fresh` (for requests that delete or absorb them).
 */
export function pathSeeder(api: Api, tenant: string) {
  const seeded = new Map<string, string>()
  let made = 0
  return async (manifest: ServiceManifest, path: string, opts: { fresh?: boolean } = {}) => {
    const parts = path.split('/')
    const filled: string[] = []
    for (const part of parts) {
      if (!/^\{.+\}$/.test(part)) {
        filled.push(part)
        continue
      }
      const collection = filled.join('/')
      const cached = opts.fresh ? undefined : seeded.get(collection)
      if (cached) {
        filled.push(cached)
        continue
      }
      const template = parts.slice(0, filled.length).join('/')
      const token = await api.token(tenant, ['admin'])
      const custom = COLLECTION_SEEDERS[template]
      if (custom) {
        const id = await custom(api, token, ++made)
        seeded.set(collection, id)
        filled.push(id)
        continue
      }
      const creator = manifest.routes.find((r) => r.method === 'POST' && r.path === template && r.example)
      if (!creator) return undefined
      const res = await api.call('POST', collection, { token, body: creator.example })
      if (res.status !== 201) throw new Error(`seeding ${collection}: ${res.status} ${res.text}`)
      const id = String(res.headers.get('location')?.split('/').pop() ?? res.body?.id)
      seeded.set(collection, id)
      filled.push(id)
    }
    return filled.join('/')
  }
}

/**
 * Collections whose records the POST example cannot make again and again: the n-th record of a
 * seeder (n from 1), as its id. A visit holds its technician's time (the example, posted twice,
 * is a double booking: each seeded visit is a day later); a quarantined message is what the
 * inbound endpoint keeps of a malformed one (no route creates it from JSON).
 */
const COLLECTION_SEEDERS: Record<string, (api: Api, token: string, n: number) => Promise<string>> = {
  // Reports are named, not created: every tenant has them all.
  '/analytics/reports': async () => 'win-rate',
  // A contact's scores exist once it bought something and the scoring run has seen the purchase.
  '/analytics/customers': async (api, token, n) => {
    const key = `seed-buyer-${n}-${Date.now()}`
    const contact = await api.call('POST', '/contacts', {
      token,
      body: { firstName: `Buyer ${n}` },
      headers: { 'idempotency-key': key },
    })
    const id = String(contact.body?.id)
    await api.call('POST', `/contacts/${id}/interactions`, {
      token,
      body: { type: 'purchase', summary: 'Seed order', amount: { amountMinor: 1000, currency: 'USD' } },
      headers: { 'idempotency-key': `${key}-purchase` },
    })
    const scored = await eventually(
      async () => {
        await api.runtime.bus.idle()
        await api.runtime.triggerSchedule('analytics', 'score-customers')
        return (await api.call('GET', `/analytics/customers/${id}`, { token })).status === 200
      },
      15_000,
      200,
    )
    if (!scored) throw new Error('seeding /analytics/customers: the contact was never scored')
    return id
  },
  '/visits': async (api, token, n) => {
    const creator = services
      .flatMap((s) => s.manifest.routes)
      .find((r) => r.method === 'POST' && r.path === '/visits')
    const example = creator?.example as { window: { start: string; end: string } } | undefined
    if (!example) throw new Error('POST /visits has no example')
    const later = (local: string) =>
      new Date(Date.parse(`${local}Z`) + n * 86_400_000).toISOString().slice(0, 16)
    const body = {
      ...example,
      window: { ...example.window, start: later(example.window.start), end: later(example.window.end) },
    }
    // The technician is an agent of the tenant.
    const agents = services
      .flatMap((s) => s.manifest.routes)
      .find((r) => r.method === 'POST' && r.path === '/agents')
    const agent = await api.call('POST', '/agents', { token, body: agents?.example })
    if (agent.status !== 201) throw new Error(`seeding /visits' technician: ${agent.status} ${agent.text}`)
    const res = await api.call('POST', '/visits', { token, body: { ...body, technicianId: agent.body.id } })
    if (res.status !== 201) throw new Error(`seeding /visits: ${res.status} ${res.text}`)
    return String(res.body.id)
  },
  '/inbound/quarantine': async (api, token, n) => {
    const res = await api.call('POST', '/inbound/email', {
      token,
      rawBody: `this is not an email, number ${n}`,
      headers: { 'content-type': 'message/rfc822' },
    })
    if (res.status !== 202) throw new Error(`seeding /inbound/quarantine: ${res.status} ${res.text}`)
    return String(res.body.quarantineId)
  },
}

/** A route's real path (records of the tenant) and the headers it requires. */
export interface RealRequest {
  path: string
  headers?: Record<string, string>
}

/**
 * What the manifests cannot say: routes whose required headers come from another record. A route
 * with a required header and no entry here fails {@link realRequest}, so the next one gets one.
 */
const REQUIRED_HEADERS: Record<
  string,
  (api: Api, tenant: string, e: RouteEntry, opts: { rateLimitPerMinute?: number }) => Promise<RealRequest>
> = {
  'POST /public/forms/{formId}/submissions': async (api, tenant, e, opts) => {
    const creator = e.manifest.routes.find((r) => r.method === 'POST' && r.path === '/forms')
    if (!creator?.example) throw new Error('POST /forms has no example to create a form from')
    const res = await api.call('POST', '/forms', {
      token: await api.token(tenant, ['admin']),
      body: { ...(creator.example as object), ...opts },
    })
    if (res.status !== 201) throw new Error(`creating a form: ${res.status} ${res.text}`)
    return { path: `/public/forms/${res.body.id}/submissions`, headers: { 'x-form-key': res.body.publicKey } }
  },
  'POST /public/support/{formId}': async (api, tenant, _e, opts) => {
    const res = await api.call('POST', '/support-forms', {
      token: await api.token(tenant, ['admin']),
      body: { name: 'Contact support', ...opts },
    })
    if (res.status !== 201) throw new Error(`creating a support form: ${res.status} ${res.text}`)
    return { path: `/public/support/${res.body.id}`, headers: { 'x-form-key': res.body.publicKey } }
  },
}

/**
 * Public routes whose path carries a signed link (campaign tracking and unsubscribe): a link this
 * stage signed for `tenant`, naming a send that does not exist (each answers as it does for a
 * link whose send is gone), since no manifest route creates one.
 */
const SIGNED_LINK_PATHS: Record<string, (tenant: string) => Promise<RealRequest>> = {
  // A survey link of a ticket that has no survey (401, as a link of a superseded survey).
  'GET /public/csat/{token}': async (t) => ({
    path: `/public/csat/${await signLink(CSAT_PURPOSE, { t, k: MISSING_ID }, { expiresInSeconds: 600, jti: MISSING_ID })}?score=5`,
  }),
  'POST /public/csat/{token}': async (t) => ({
    path: `/public/csat/${await signLink(CSAT_PURPOSE, { t, k: MISSING_ID }, { expiresInSeconds: 600, jti: MISSING_ID })}`,
  }),
  'GET /public/t/o/{token}': async (t) => ({
    path: `/public/t/o/${await signLink(LINK_PURPOSE.open, { t, c: MISSING_ID, k: MISSING_ID }, { expiresInSeconds: 600 })}`,
  }),
  'GET /public/t/c/{token}': async (t) => ({
    path: `/public/t/c/${await signLink(LINK_PURPOSE.click, { t, c: MISSING_ID, k: MISSING_ID, u: 'https://example.com/', l: 0 }, { expiresInSeconds: 600 })}`,
  }),
  'GET /public/unsubscribe/{token}': async (t) => ({
    path: `/public/unsubscribe/${await signLink(LINK_PURPOSE.unsubscribe, { t, c: MISSING_ID, k: MISSING_ID }, { expiresInSeconds: 600 })}`,
  }),
  'POST /public/unsubscribe/{token}': async (t) => ({
    path: `/public/unsubscribe/${await signLink(LINK_PURPOSE.unsubscribe, { t, c: MISSING_ID, k: MISSING_ID }, { expiresInSeconds: 600 })}`,
  }),
}

/** The route on real records of `tenant` (created by `seed`), with its required headers. */
export async function realRequest(
  api: Api,
  tenant: string,
  seed: ReturnType<typeof pathSeeder>,
  e: RouteEntry,
  opts: { rateLimitPerMinute?: number } = {},
): Promise<RealRequest> {
  const required = Object.entries(e.route.headers ?? {}).filter(([, h]) => h.required)
  const special = REQUIRED_HEADERS[e.name]
  if (special) return special(api, tenant, e, opts)
  const signed = SIGNED_LINK_PATHS[e.name]
  if (signed) return signed(tenant)
  if (required.length)
    throw new Error(`${e.name} requires ${required.map(([n]) => n)}: add it to REQUIRED_HEADERS`)
  const path = await seed(e.manifest, e.route.path, { fresh: e.route.method !== 'GET' })
  if (!path) throw new Error(`no POST route with an example creates the records under ${e.route.path}`)
  return { path }
}
