import { buildOpenApi, errorStatuses } from '@relay/contracts/openapi'
import { defineService, ROLES, route } from '@relay/core/manifest'
import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { services } from '../../services/index.js'

const doc = buildOpenApi(services, { version: '1.2.3' }) as any

/** Every `$ref` in the document, which must all resolve inside it. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) refs(n, out)
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v)
      else refs(v, out)
    }
  }
  return out
}

describe('buildOpenApi', () => {
  it('is an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: expect.any(String), version: '1.2.3' })
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    })
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc)
  })

  it('has every route of every manifest, with a unique operationId', () => {
    const ids = new Set<string>()
    for (const { manifest } of services) {
      for (const route of manifest.routes) {
        const op = doc.paths[route.path]?.[route.method.toLowerCase()]
        expect(op, `${route.method} ${route.path}`).toBeDefined()
        expect(op.summary).toBe(route.summary)
        expect(ids.has(op.operationId)).toBe(false)
        ids.add(op.operationId)
      }
    }
    expect(ids.size).toBe(services.reduce((n, s) => n + s.manifest.routes.length, 0))
  })

  it('secures every route with a bearer JWT except the public ones', () => {
    for (const { manifest } of services) {
      for (const route of manifest.routes) {
        const op = doc.paths[route.path][route.method.toLowerCase()]
        if (route.roles === 'public') expect(op.security).toEqual([])
        else {
          expect(op.security).toEqual([{ bearerAuth: [] }])
          expect(op['x-roles']).toEqual([...route.roles])
          expect(op.responses['401']).toBeDefined()
          const limited = ROLES.some((r) => !route.roles.includes(r))
          expect(op.responses['403'] !== undefined, `${route.method} ${route.path}`).toBe(
            limited || route.ownerField !== undefined,
          )
        }
      }
    }
  })

  it('describes the contacts routes: bodies, query, path parameter, problem responses, headers', () => {
    const create = doc.paths['/contacts'].post
    const body = create.requestBody.content['application/json']
    expect(body.schema.additionalProperties).toBe(false)
    expect(body.schema.properties.emails.items.properties.address.format).toBe('email')
    expect(body.example).toBeDefined()
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '409', '413', '422']))
    expect(create.responses['201'].headers.Location).toBeDefined()
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key')

    const list = doc.paths['/contacts'].get
    expect(list.parameters.find((p: { name: string }) => p.name === 'limit')).toMatchObject({
      in: 'query',
      schema: { minimum: 1, maximum: 100 },
    })

    const patch = doc.paths['/contacts/{id}'].patch
    expect(patch.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header' }),
      ]),
    )
    expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(['200', '404', '412']))
    expect(Object.keys(doc.paths['/contacts/{id}'].delete.responses)).toContain('204')
  })

  it('has problem+json for 400/401/403/404/409/412/413/415/422/429/500/503/504 and every $ref resolves', () => {
    for (const s of [400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 500, 503, 504]) {
      expect(doc.components.responses[`Problem${s}`].content['application/problem+json']).toBeDefined()
    }
    for (const r of refs(doc)) {
      const target = r
        .slice(2)
        .split('/')
        .reduce(
          (node: Record<string, unknown> | undefined, key) =>
            node?.[key] as Record<string, unknown> | undefined,
          doc,
        )
      expect(target, r).toBeDefined()
    }
  })

  it('declares for every route what every route can answer, each error as problem+json', () => {
    for (const { manifest } of services) {
      for (const route of manifest.routes) {
        const op = doc.paths[route.path][route.method.toLowerCase()]
        const name = `${route.method} ${route.path}`
        for (const s of ['400', '500', '503', '504']) expect(op.responses[s], `${name} ${s}`).toBeDefined()
        if (route.method !== 'GET') expect(op.responses['409'], name).toBeDefined()
        if (route.body) {
          expect(op.responses['413'], name).toBeDefined()
          expect(op.responses['415'], name).toBeDefined()
        }
        for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
          if (Number(status) < 400) continue
          const resolved = response.$ref ? doc.components.responses[response.$ref.split('/').pop()] : response
          expect(resolved.content['application/problem+json'].schema, `${name} ${status}`).toEqual({
            $ref: '#/components/schemas/Problem',
          })
        }
      }
    }
    expect(doc.components.responses.Problem503.headers['Retry-After']).toBeDefined()
  })

  describe('from what a route declares', () => {
    const FormKey = z.strictObject({ formId: z.string().check(z.length(26)) })
    const submit = route({
      method: 'POST',
      path: '/public/forms/{formId}/submissions',
      function: 'submit-form',
      roles: 'public',
      summary: 'Submit a form',
      body: z.record(z.string(), z.string()),
      params: FormKey,
      headers: { 'x-form-key': { required: true, description: 'The form’s public key.' } },
      errors: { 401: 'Missing or wrong x-form-key.', 429: 'This form takes no more submissions now.' },
      maxBodyBytes: 16_384,
      response: { status: 202 },
    })
    const reassign = route({
      method: 'PATCH',
      path: '/deals/{id}',
      function: 'update-deal',
      roles: ROLES,
      summary: 'Update a deal',
      body: z.strictObject({ ownerId: z.optional(z.string()) }),
      ownerField: 'ownerId',
    })
    const consent = route({
      method: 'POST',
      path: '/contacts/{id}/consents',
      function: 'record-consent',
      roles: ['admin'],
      summary: 'Record consent',
      body: z.strictObject({ channel: z.string() }),
      headers: { 'If-Match': { description: 'The contact’s ETag.' } },
    })
    const manifest = defineService({
      name: 'demo',
      source: 'crm.demo',
      tables: {},
      functions: {},
      routes: [submit, reassign, consent],
      subscriptions: [],
      schedules: [],
      publishes: [],
    })
    const own = buildOpenApi([{ manifest }]) as any

    it('its headers, path parameter schema, own errors (429 with Retry-After) and body limit', () => {
      const op = own.paths['/public/forms/{formId}/submissions'].post
      expect(op.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'x-form-key', in: 'header', required: true }),
          expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
          expect.objectContaining({
            name: 'formId',
            in: 'path',
            schema: expect.objectContaining({ minLength: 26, maxLength: 26 }),
          }),
        ]),
      )
      expect(op.responses['401'].description).toBe('Missing or wrong x-form-key.')
      expect(op.responses['429'].headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' })
      expect(op.responses['429'].content['application/problem+json']).toBeDefined()
      expect(op.responses['403']).toBeUndefined()
      expect(op['x-max-body-bytes']).toBe(16_384)
      expect(errorStatuses(submit)).toEqual([400, 401, 404, 409, 413, 415, 422, 429, 500, 503, 504])
    })

    it('403 for an owner field even when every role may call the route; If-Match where declared', () => {
      expect(own.paths['/deals/{id}'].patch.responses['403']).toBeDefined()
      expect(own.paths['/deals/{id}'].patch['x-owner-field']).toBe('ownerId')
      const post = own.paths['/contacts/{id}/consents'].post
      expect(
        post.parameters.filter((p: { name: string }) => p.name.toLowerCase() === 'if-match'),
      ).toHaveLength(1)
      expect(post.responses['412']).toBeDefined()
    })
  })

  it('lists every published event under x-events', () => {
    const published = services.flatMap(({ manifest }) =>
      manifest.publishes.map((p) => `${manifest.source} ${p.detailType}`),
    )
    expect(
      doc['x-events']
        .map((e: { source: string; detailType: string }) => `${e.source} ${e.detailType}`)
        .sort(),
    ).toEqual(published.sort())
  })
})
