import { describe, expect, it } from 'vitest'
import { services } from '../../../services/index.js'
import { buildOpenApi } from '../src/openapi.js'

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
          expect(op.responses['403']).toBeDefined()
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

  it('has problem+json for 400/401/403/404/409/412/413/422 and every $ref resolves', () => {
    for (const s of [400, 401, 403, 404, 409, 412, 413, 422]) {
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
