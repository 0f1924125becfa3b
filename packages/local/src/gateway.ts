/**
 * A local API Gateway HTTP API: serves every manifest route with payload format 2.0 and a JWT
 * authorizer (dev tokens), and interprets function results as API Gateway does.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { RouteDef } from '@relay/core/manifest'
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { type Invoker, LOCAL_ACCOUNT, type LocalService } from './invoke.js'
import type { DevClaims } from './tokens.js'

export interface CompiledRoute {
  service: string
  route: RouteDef
  routeKey: string
  regex: RegExp
  params: string[]
  /** Sort weight: literal segments first, then plain parameters, greedy last. */
  rank: number[]
}

/** Compiles manifest routes, most specific first (API Gateway prefers literal segments over `{param}`). */
export function compileRoutes(services: readonly LocalService[]): CompiledRoute[] {
  const routes: CompiledRoute[] = []
  for (const { manifest } of services) {
    for (const route of manifest.routes) {
      const params: string[] = []
      const segments = route.path.split('/').filter(Boolean)
      let literal = 0
      let greedy = 0
      const source = segments
        .map((segment) => {
          const greedyMatch = /^\{(.+)\+\}$/.exec(segment)
          if (greedyMatch) {
            params.push(greedyMatch[1]!)
            greedy++
            return '(.+)'
          }
          const param = /^\{(.+)\}$/.exec(segment)
          if (param) {
            params.push(param[1]!)
            return '([^/]+)'
          }
          literal++
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        })
        .join('/')
      routes.push({
        service: manifest.name,
        route,
        routeKey: `${route.method} ${route.path}`,
        regex: new RegExp(`^/${source}/?$`),
        params,
        rank: [greedy, -segments.length, -literal],
      })
    }
  }
  return routes.sort((a, b) => {
    for (let i = 0; i < a.rank.length; i++) {
      const d = a.rank[i]! - b.rank[i]!
      if (d !== 0) return d
    }
    return 0
  })
}

/** A local-only route's answer. */
export interface LocalAnswer {
  status: number
  body?: unknown
}

export interface GatewayOptions {
  stage: string
  services: readonly LocalService[]
  invoker: Invoker
  /** Verifies a bearer token; undefined = invalid. */
  verify(token: string): Promise<DevClaims | undefined>
  /** Handles `/_local/...`; return undefined for 404. */
  local?(request: {
    method: string
    path: string
    query: URLSearchParams
    body: string
  }): Promise<LocalAnswer | undefined>
  /** One line per request; default console.log. */
  log?(line: string): void
}

const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|.*\+(json|xml))/i

/** Whether API Gateway passes a body of this content type as text (otherwise base64). */
export function isTextContentType(contentType: string | undefined): boolean {
  return !contentType || TEXT_TYPES.test(contentType.trim())
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** Claims as HTTP API hands them to a function: every value a string, arrays as `[a b]`. */
export function claimsAsDelivered(claims: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(claims)) {
    out[key] = Array.isArray(value)
      ? `[${value.join(' ')}]`
      : typeof value === 'string'
        ? value
        : JSON.stringify(value)
  }
  return out
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Builds the payload format 2.0 event for a matched route. */
export function buildEvent(a: {
  req: IncomingMessage
  url: URL
  body: Buffer
  route: CompiledRoute
  pathParameters: Record<string, string>
  claims?: DevClaims
  stage: string
  domainName: string
}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {}
  let cookies: string[] | undefined
  for (const [name, values] of Object.entries(a.req.headersDistinct)) {
    if (!values) continue
    if (name === 'cookie') {
      cookies = values.flatMap((v) => v.split(';').map((c) => c.trim())).filter(Boolean)
      continue
    }
    headers[name] = values.join(',')
  }
  const query: Record<string, string> = {}
  for (const key of new Set(a.url.searchParams.keys())) query[key] = a.url.searchParams.getAll(key).join(',')
  const now = new Date()
  const isText = isTextContentType(headers['content-type'])
  const event = {
    version: '2.0',
    routeKey: a.route.routeKey,
    rawPath: a.url.pathname,
    rawQueryString: a.url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(a.pathParameters).length ? { pathParameters: a.pathParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: 'local',
      ...(a.claims
        ? {
            authorizer: {
              principalId: '',
              integrationLatency: 0,
              jwt: {
                claims: claimsAsDelivered(a.claims),
                scopes: (typeof a.claims.scope === 'string' ? a.claims.scope.split(' ') : null) as string[],
              },
            },
          }
        : {}),
      domainName: a.domainName,
      domainPrefix: a.domainName.split('.')[0] ?? a.domainName,
      http: {
        method: a.req.method ?? 'GET',
        path: a.url.pathname,
        protocol: `HTTP/${a.req.httpVersion}`,
        sourceIp: (a.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: a.route.routeKey,
      stage: '$default',
      time: formatClf(now),
      timeEpoch: now.getTime(),
    },
    ...(a.body.length ? { body: isText ? a.body.toString('utf8') : a.body.toString('base64') } : {}),
    isBase64Encoded: a.body.length > 0 && !isText,
  }
  return event as APIGatewayProxyEventV2WithJWTAuthorizer
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time. */
function formatClf(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

/** Interprets a function result as HTTP API does for payload 2.0 (structured or shorthand). */
export function interpretResult(result: unknown): {
  status: number
  headers: Record<string, string>
  cookies: string[]
  body: Buffer
} {
  const isStructured =
    typeof result === 'object' && result !== null && 'statusCode' in result && !Array.isArray(result)
  if (!isStructured) {
    // Shorthand: any JSON value is a 200 application/json; a string is passed through as is.
    const body = result === undefined ? '' : typeof result === 'string' ? result : JSON.stringify(result)
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    }
  }
  const r = result as APIGatewayProxyStructuredResultV2
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v)
  const raw = r.body ?? ''
  const body = r.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8')
  return { status: Number(r.statusCode) || 200, headers, cookies: r.cookies ?? [], body }
}

/** Creates the gateway's HTTP server (not yet listening). */
export function createGateway(options: GatewayOptions): Server {
  const routes = compileRoutes(options.services)
  const log = options.log ?? ((line: string) => console.log(line))

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`)
    const method = (req.method ?? 'GET').toUpperCase()
    const body = await readBody(req)

    if (url.pathname.startsWith('/_local/') && options.local) {
      const answer = await options.local({
        method,
        path: url.pathname,
        query: url.searchParams,
        body: body.toString(),
      })
      if (!answer) return json(res, 404, { message: 'Not Found' })
      return json(res, answer.status, answer.body ?? {})
    }

    let match: { route: CompiledRoute; values: RegExpExecArray } | undefined
    for (const route of routes) {
      if (route.route.method !== method) continue
      const values = route.regex.exec(url.pathname)
      if (values) {
        match = { route, values }
        break
      }
    }
    if (!match) return json(res, 404, { message: 'Not Found' })
    const { route, values } = match
    const pathParameters: Record<string, string> = {}
    route.params.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(values[i + 1] ?? '')
    })

    let claims: DevClaims | undefined
    if (route.route.roles !== 'public') {
      // The JWT authorizer checks the token only; roles are the function's business.
      const header = req.headers.authorization ?? ''
      const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
      claims = token ? await options.verify(token) : undefined
      if (!claims) return json(res, 401, { message: 'Unauthorized' }, { 'www-authenticate': 'Bearer' })
    }

    const event = buildEvent({
      req,
      url,
      body,
      route,
      pathParameters,
      ...(claims ? { claims } : {}),
      stage: options.stage,
      domainName: req.headers.host ?? 'localhost',
    })
    let result: unknown
    try {
      result = await options.invoker.invoke(route.service, route.route.function, event, 'http')
    } catch (err) {
      log(
        `  ${options.invoker.physicalName(route.service, route.route.function)} failed: ${(err as Error).stack ?? err}`,
      )
      return json(res, 500, { message: 'Internal Server Error' })
    }
    const out = interpretResult(result)
    const headers: Record<string, string | string[]> = {
      ...out.headers,
      'content-length': String(out.body.length),
      'apigw-requestid': event.requestContext.requestId,
    }
    if (out.cookies.length) headers['set-cookie'] = out.cookies
    res.writeHead(out.status, headers)
    res.end(out.body)
  }

  return createServer((req, res) => {
    const started = performance.now()
    res.on('finish', () => {
      log(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`)
    })
    handle(req, res).catch((err) => {
      log(`gateway error: ${(err as Error).stack ?? err}`)
      if (!res.headersSent) json(res, 500, { message: 'Internal Server Error' })
      else res.end()
    })
  })
}
