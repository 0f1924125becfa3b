/**
 * The OpenAPI 3.1 document, generated from every manifest route and the zod contracts the routes
 * name, so the document cannot drift from what the handlers validate.
 */
import { type HttpMethod, ROLES, type Role, type RouteDef, type ServiceManifest } from '@relay/core/manifest'
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

/** Bytes of a request body when the route does not say (`RouteDef.maxBodyBytes`). */
export const DEFAULT_MAX_BODY_BYTES = 65_536

/**
 * Every error status a route can answer, with the generic meaning a client can rely on; a route's
 * own `errors` entry says more where it has one. All are application/problem+json.
 */
export const PROBLEM_STATUSES = {
  400: 'The request is invalid (body, query, path, or a header such as If-Match or Idempotency-Key); `errors[]` names each bad field. Unknown query parameters and fields are refused.',
  401: 'No valid bearer token. In AWS the JWT authorizer answers this itself, as `application/json` `{"message":"Unauthorized"}` (HTTP APIs cannot reshape it): treat any 401 as "get a new token".',
  403: 'The caller’s role may not do this (or may not assign this owner).',
  404: 'No such resource for this tenant.',
  409: 'Conflict: the resource changed (no If-Match sent), already exists, or a request with this Idempotency-Key is still in progress (retry later).',
  412: 'If-Match does not name the current version: read it again.',
  413: 'The body is larger than the limit.',
  415: 'The body is not `application/json`.',
  422: 'This Idempotency-Key was used for a different request.',
  429: 'Too many requests: wait `Retry-After` seconds.',
  500: 'Unexpected error; quote the correlationId.',
  503: 'A dependency (DynamoDB, EventBridge, SES, S3) is throttling or unavailable: retry after `Retry-After` seconds (same Idempotency-Key for a POST).',
  504: 'The request ran out of time; it may or may not have taken effect: retry a POST with the same Idempotency-Key, or read before writing again.',
} as const
export type ProblemStatus = keyof typeof PROBLEM_STATUSES

/** Statuses whose answer carries `Retry-After` (seconds). */
const RETRY_AFTER: ReadonlySet<number> = new Set([429, 503])

const WRITE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const VERSIONED_METHODS: ReadonlySet<HttpMethod> = new Set(['PUT', 'PATCH', 'DELETE'])

const ref = (status: number) => ({ $ref: `#/components/responses/Problem${status}` })

function successStatus(route: RouteDef): number {
  if (route.response) return route.response.status
  if (route.method === 'POST') return 201
  if (route.method === 'DELETE') return 204
  return 200
}

/** The `{name}` (and greedy `{name+}`) parameters of an API Gateway path. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!)
}

const lower = (headers: RouteDef['headers']) => Object.keys(headers ?? {}).map((h) => h.toLowerCase())

/** Whether the route takes If-Match (every PUT/PATCH/DELETE, and any route that declares it). */
export function takesIfMatch(route: RouteDef): boolean {
  return VERSIONED_METHODS.has(route.method) || lower(route.headers).includes('if-match')
}

function rolesLimited(route: RouteDef): boolean {
  return route.roles !== 'public' && ROLES.some((r) => !(route.roles as readonly Role[]).includes(r))
}

/**
 * Every error status the route can answer: what every route shares (400 for any malformed request,
 * 500/503/504), what follows from its declaration (auth and roles, path ids, writes, If-Match, body,
 * Idempotency-Key), and its own `errors`.
 */
export function errorStatuses(route: RouteDef): number[] {
  const out = new Set<number>([400, 500, 503, 504])
  if (route.roles !== 'public') out.add(401)
  if (rolesLimited(route) || route.ownerField) out.add(403)
  if (pathParams(route.path).length > 0) out.add(404)
  if (WRITE_METHODS.has(route.method)) {
    out.add(409)
    out.add(413)
  }
  if (takesIfMatch(route)) out.add(412)
  if (route.body) out.add(415)
  if (route.method === 'POST') out.add(422)
  for (const s of Object.keys(route.errors ?? {})) out.add(Number(s))
  return [...out].sort((a, b) => a - b)
}

function problemResponse(description: string, status: number): Json {
  return {
    description,
    ...(RETRY_AFTER.has(status)
      ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
      : {}),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  }
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

function pathParameters(route: RouteDef): Json[] {
  const declared = route.params
    ? (((jsonSchema(route.params, 'input').properties ?? {}) as Record<string, Json>) ?? {})
    : {}
  return pathParams(route.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: declared[name] ?? { type: 'string', minLength: 1 },
  }))
}

function headerParameters(route: RouteDef): Json[] {
  const out: Json[] = []
  if (route.method === 'POST') {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Same key and body within 24 h → the first response replayed (`Idempotency-Replayed: true`); another body → 422; still running → 409.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    })
  }
  if (takesIfMatch(route)) {
    out.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'The ETag of the version read; a stale one → 412, a malformed one → 400.',
      schema: { type: 'string' },
    })
  }
  for (const [name, h] of Object.entries(route.headers ?? {})) {
    if (name.toLowerCase() === 'if-match') continue
    out.push({
      name,
      in: 'header',
      required: h.required ?? false,
      description: h.description,
      schema: { type: 'string' },
    })
  }
  return out
}

function operation(manifest: ServiceManifest, route: RouteDef, defs: Record<string, Json>): Json {
  const status = successStatus(route)
  const isPublic = route.roles === 'public'
  const parameters = [...pathParameters(route), ...queryParameters(route), ...headerParameters(route)]

  const success: Json = { description: route.summary }
  const headers: Json = {}
  if (status !== 204) {
    if (!isPublic && (status === 201 || pathParams(route.path).length > 0)) {
      headers.ETag = { description: 'The version, for If-Match.', schema: { type: 'string' } }
    }
    if (status === 201)
      headers.Location = { description: 'URL of the new resource.', schema: { type: 'string' } }
    success.content = {
      'application/json': {
        schema: route.response?.schema ? jsonSchema(route.response.schema, 'output', defs) : {},
      },
      // Content negotiation: the same resource in other media types, chosen by Accept.
      ...Object.fromEntries(
        Object.entries(route.response?.alternatives ?? {}).map(([type, description]) => [
          type,
          { schema: { type: 'string', description } },
        ]),
      ),
    }
  }
  if (route.method === 'POST') {
    headers['Idempotency-Replayed'] = {
      description:
        '`true` when this is the stored answer to an earlier request with the same Idempotency-Key.',
      schema: { type: 'string', enum: ['true'] },
    }
  }
  if (Object.keys(headers).length) success.headers = headers
  const responses: Json = { [String(status)]: success }
  for (const s of errorStatuses(route)) {
    const own = route.errors?.[s]
    responses[String(s)] = own ? problemResponse(own, s) : ref(s)
  }

  const op: Json = {
    operationId: `${manifest.name}.${route.function}`,
    summary: route.summary,
    tags: [manifest.name],
    security: isPublic ? [] : [{ bearerAuth: [] }],
    responses,
  }
  if (!isPublic) op['x-roles'] = [...route.roles]
  if (route.ownerField) op['x-owner-field'] = route.ownerField
  if (parameters.length) op.parameters = parameters
  if (route.body) {
    const media: Json = { schema: jsonSchema(route.body, 'input', defs) }
    if (route.example !== undefined) media.example = route.example
    const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    op.requestBody = {
      required: true,
      description: `JSON, at most ${limit} bytes (more → 413).`,
      content: { 'application/json': media },
    }
    op['x-max-body-bytes'] = limit
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
  // Definitions of recursive schemas (a segment's rule tree), shared by the operations naming them.
  const defs: Record<string, Json> = {}
  for (const { manifest } of services) {
    for (const route of manifest.routes) {
      const item = paths[route.path] ?? {}
      paths[route.path] = item
      item[route.method.toLowerCase() as Lowercase<HttpMethod>] = operation(manifest, route, defs)
    }
  }
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)))

  const problemResponses = Object.fromEntries(
    Object.entries(PROBLEM_STATUSES).map(([status, description]) => [
      `Problem${status}`,
      problemResponse(description, Number(status)),
    ]),
  )
  const events = catalogueJson(eventsOfServices(services))

  return {
    openapi: '3.1.0',
    info: {
      title: 'Relay CRM API',
      version: options.version ?? '0.0.0',
      description:
        'Errors are application/problem+json (RFC 9457). POST takes Idempotency-Key; reads return ETag; writes take If-Match. Lists: ?limit=&cursor= → { items, nextCursor }. ' +
        'In AWS, API Gateway answers a few requests itself, before any function runs, as application/json `{"message":...}` (HTTP APIs cannot reshape them): 401 from the JWT authorizer, 429 when the stage throttles (no Retry-After: back off and retry), and 503 at its 30 s integration timeout (functions answer 504 problem+json well before that). Branch on the status; parse problem+json when the Content-Type says so.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearerAuth: [] }],
    tags: services.map(({ manifest }) => ({ name: manifest.name })),
    paths: sortedPaths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: jsonSchema(Problem, 'output'),
        FieldError: jsonSchema(FieldError, 'output'),
        ...defs,
      },
      responses: problemResponses,
      headers: {
        RetryAfter: {
          description: 'Seconds to wait before retrying.',
          schema: { type: 'integer', minimum: 0 },
        },
      },
    },
    'x-events': events,
  }
}
