import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { services } from '../../index.js'
import { handler as health } from '../src/handlers/health.js'
import { handler as openapi } from '../src/handlers/openapi.js'
import { manifest } from '../src/service.js'
import { VERSION } from '../src/version.js'

// No authorizer at all: these routes are public.
const get = (path: string) =>
  ({
    version: '2.0',
    rawPath: path,
    headers: {},
    isBase64Encoded: false,
    requestContext: { http: { method: 'GET', path }, requestId: 'req-1' },
  }) as unknown as APIGatewayProxyEventV2
const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context
const call = async (h: typeof health, path: string) => {
  const res = (await h(get(path), context)) as APIGatewayProxyStructuredResultV2
  return { status: res.statusCode, body: JSON.parse(res.body ?? 'null') }
}

describe('platform', () => {
  it('declares both routes public, each with its function', () => {
    expect(manifest.routes.map((r) => [r.method, r.path, r.roles])).toEqual([
      ['GET', '/health', 'public'],
      ['GET', '/openapi.json', 'public'],
    ])
    for (const r of manifest.routes) expect(manifest.functions).toHaveProperty(r.function)
  })

  it('GET /health answers ok with the version, without a token', async () => {
    const res = await call(health, '/health')
    expect(res).toEqual({ status: 200, body: { status: 'ok', service: 'relay-crm', version: VERSION } })
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('GET /openapi.json answers the document of every registered route, the same one each time', async () => {
    const first = await call(openapi, '/openapi.json')
    const second = await call(openapi, '/openapi.json')
    expect(first.status).toBe(200)
    expect(first.body.openapi).toBe('3.1.0')
    expect(first.body.info.version).toBe(VERSION)
    for (const { manifest: m } of services)
      for (const r of m.routes) expect(first.body.paths).toHaveProperty(r.path)
    expect(second.body).toEqual(first.body)
  })
})
