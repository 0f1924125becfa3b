/**
 * The OpenAPI 3.1 document, generated from every manifest route and the zod contracts the routes
 * name, so the document cannot drift from what the handlers validate.
 */
import type { HttpMethod, RouteDef, ServiceManifest } from '@relay/core/manifest'
import { FieldError, Problem } from './common.js'
import { catalogueJson, eventsOfServices } from './events.js'
import { jsonSchema } from './json-schema.js'

/** What buildOpenApi needs of a registered service (`RegisteredService` of services/index.ts fits). */
export interface OpenApiService {
  manifest: ServiceManifest
}

export interface OpenApiOptions {
  /** `info.version`; default `0.0.0`. */
  version?: string
  /** `servers[0].url`, when known. */
  serverUrl?: string
}

type Json = Record<string, unknown>

const PROBLEM_STATUSES = {
  400: 'The request is invalid; `errors[]` names each bad field.',
  401: 'No valid bearer token.',
  403: 'The caller’s role may not do this.',
  404: 'No such resource for this tenant.',
  409: 'Conflict: the resource changed, already exists, or a request with this Idempotency-Key is in progress.',
  412: 'If-Match does not name the current version.',
  413: 'The body is larger than the limit.',
  422: 'This Idempotency-Key was used for a different request.',
  500: 'Unexpected error; quote the correlationId.',
} as const
type ProblemStatus = keyof typeof PROBLEM_STATUSES

const ref = (status: ProblemStatus) => ({ $ref: `#/components/responses/Problem${status}` })

function successStatus(route: RouteDef): number {
  if (route.response) return route.response.status
  if (route.method === 'POST') return 201
  if (route.method === 'DELETE') return 204
  return 200
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!)
}

function errorStatuses(route: RouteDef): ProblemStatus[] {
  const out = new Set<ProblemStatus>()
  const hasParams = pathParams(route.path).length > 0
  const writes = route.method !== 'GET'
  if (route.body || route.query || hasParams) out.add(400)
  if (route.roles !== 'public') {
    out.add(401)
    out.add(403)
  }
  if (hasParams) out.add(404)
  if (writes) out.add(409)
  if (route.method === 'PATCH' || route.method === 'PUT' || route.method === 'DELETE') out.add(412)
  if (route.body) out.add(413)
  if (route.method === 'POST') out.add(422)
  out.add(500)
  return [...out].sort((a, b) => a - b)
}

function queryParameters(route: RouteDef): Json[] {
  if (!route.query) return []
  const schema = jsonSchema(route.query, 'input')
  const properties = (schema.properties ?? {}) as Record<string, Json>
  const required = new Set((schema.required ?? []) as string[])
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
  }))
}

function operation(manifest: ServiceManifest, route: RouteDef): Json {
  const status = successStatus(route)
  const isPublic = route.roles === 'public'
  const parameters: Json[] = [
    ...pathParams(route.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    })),
    ...queryParameters(route),
  ]
  if (route.method === 'POST') {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Same key and body within 24 h → the first response replayed; another body → 422.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    })
  }
  if (route.method === 'PATCH' || route.method === 'PUT' || route.method === 'DELETE') {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag of the version read; a stale one → 412.',
      schema: { type: 'string' },
    })
  }

  const success: Json = { description: route.summary }
  if (status !== 204) {
    const headers: Json = {}
    if (!isPublic && (status === 201 || pathParams(route.path).length > 0)) {
      headers.ETag = { description: 'The version, for If-Match.', schema: { type: 'string' } }
    }
    if (status === 201)
      headers.Location = { description: 'URL of the new resource.', schema: { type: 'string' } }
    if (Object.keys(headers).length) success.headers = headers
    success.content = {
      'application/json': {
        schema: route.response?.schema ? jsonSchema(route.response.schema, 'output') : {},
      },
    }
  }
  const responses: Json = { [String(status)]: success }
  for (const s of errorStatuses(route)) responses[String(s)] = ref(s)

  const op: Json = {
    operationId: `${manifest.name}.${route.function}`,
    summary: route.summary,
    tags: [manifest.name],
    security: isPublic ? [] : [{ bearerAuth: [] }],
    responses,
  }
  if (!isPublic) op['x-roles'] = [...route.roles]
  if (parameters.length) op.parameters = parameters
  if (route.body) {
    const media: Json = { schema: jsonSchema(route.body, 'input') }
    if (route.example !== undefined) media.example = route.example
    op.requestBody = { required: true, content: { 'application/json': media } }
  }
  return op
}

/**
 * Builds the OpenAPI 3.1 document of every route of every manifest: path, method, summary,
 * security (bearer JWT unless public, with the allowed roles as `x-roles`), path/query/header
 * parameters, request body and success schemas (JSON Schema from zod), problem+json error
 * responses, and under `x-events` every event the manifests publish with its JSON Schema.
 *
 * @example
 * const doc = buildOpenApi(services, { version: '0.1.0' })
 */
export function buildOpenApi(services: readonly OpenApiService[], options: OpenApiOptions = {}): Json {
  const paths: Record<string, Record<string, Json>> = {}
  for (const { manifest } of services) {
    for (const route of manifest.routes) {
      const item = paths[route.path] ?? {}
      paths[route.path] = item
      item[route.method.toLowerCase() as Lowercase<HttpMethod>] = operation(manifest, route)
    }
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)))

  const problemResponses = Object.fromEntries(
    Object.entries(PROBLEM_STATUSES).map(([status, description]) => [
      `Problem${status}`,
      {
        description,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    ]),
  )
  const events = catalogueJson(eventsOfServices(services))

  return {
    openapi: '3.1.0',
    info: {
      title: 'Relay CRM API',
      version: options.version ?? '0.0.0',
      description:
        'Errors are application/problem+json (RFC 9457). POST takes Idempotency-Key; reads return ETag; writes take If-Match. Lists: ?limit=&cursor= → { items, nextCursor }.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearerAuth: [] }],
    tags: services.map(({ manifest }) => ({ name: manifest.name })),
    paths: sortedPaths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: jsonSchema(Problem, 'output'), FieldError: jsonSchema(FieldError, 'output') },
      responses: problemResponses,
    },
    'x-events': events,
  }
}
