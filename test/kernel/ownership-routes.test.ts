/**
 * The ownership rule for every route of every manifest that declares `ownerField` (issue 9.9),
 * generated from the registry: a caller without manager/admin naming someone else → 403 naming
 * the field; a manager → past the rule. Each route's own handler runs, on faked AWS clients.
 */
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { ASSIGNERS } from '@relay/core/http/ownership'
import { pathParamNames } from '@relay/core/http/validate'
import { type Role, type RouteDef, tableEnvVar, WRITERS } from '@relay/core/manifest'
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { httpEvent } from '../../packages/core/test/helpers.js'
import { services } from '../../services/index.js'

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())

const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context

const owned = services.flatMap(({ manifest, root }) =>
  manifest.routes
    .filter((r): r is RouteDef & { ownerField: string } => r.ownerField !== undefined)
    .map((r) => ({
      service: manifest.name,
      route: r,
      entry: `${root}/src/${manifest.functions[r.function]?.entry}`,
    })),
)

beforeAll(() => {
  for (const { manifest } of services)
    for (const table of Object.keys(manifest.tables))
      process.env[tableEnvVar(manifest.name, table)] = `test-${manifest.name}-${table}`
})

type Handler = (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>

async function call(route: RouteDef & { ownerField: string }, entry: string, role: Role, owner: string) {
  const { handler } = (await import(entry)) as { handler: Handler }
  const params = Object.fromEntries(pathParamNames(route.path).map((name) => [name, ID]))
  const example =
    route.method === 'POST' && route.example && typeof route.example === 'object' ? route.example : {}
  const event = httpEvent({
    method: route.method,
    path: pathParamNames(route.path).reduce((p, name) => p.replace(`{${name}}`, ID), route.path),
    params,
    body: { ...example, [route.ownerField]: owner },
    claims: { sub: 'me', 'custom:tenantId': 'acme', 'cognito:groups': `[${role}]` },
  })
  const res = await handler(event, context)
  return {
    status: res.statusCode,
    body: JSON.parse(res.body ?? 'null') as { errors?: { field: string; code: string }[] },
  }
}

describe('ownership, for every route that declares ownerField', () => {
  it('finds the routes (the registry declares some)', () => {
    expect(owned.length).toBeGreaterThan(0)
  })

  it.each(owned.map((o) => [`${o.service} ${o.route.method} ${o.route.path}`, o] as const))(
    '%s',
    async (_name, { route, entry }) => {
      // Prepare
      ddb.on(GetCommand).resolves({})
      ddb.on(QueryCommand).resolves({ Items: [] })
      ddb.resolves({})
      const roles = route.roles === 'public' ? [] : route.roles
      const seller = roles.find((r) => !ASSIGNERS.includes(r) && WRITERS.includes(r))
      const manager = roles.find((r) => ASSIGNERS.includes(r))

      // Act: a route only managers may call keeps the rule by its roles alone.
      const refused = await call(route, entry, seller ?? 'sales', 'someone-else')
      const allowed = manager ? await call(route, entry, manager, 'someone-else') : undefined

      // Assess
      expect(refused.status).toBe(403)
      if (seller)
        expect(refused.body.errors).toEqual([
          expect.objectContaining({ field: route.ownerField, code: 'not_owner' }),
        ])
      expect(manager, 'a route with ownerField lets managers write').toBeDefined()
      expect(allowed?.status).not.toBe(403)
      expect(allowed?.status).toBeLessThan(500)
    },
  )
})
