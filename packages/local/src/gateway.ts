/**
 * A local API Gateway HTTP API: serves every manifest route with payload format 2.0 and a JWT
 * authorizer (dev tokens), and interprets function results as API Gateway does.
 */

import { isUtf8 } from 'node:buffer'
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { statusTitle } from '@relay/core/errors'
import type { RouteDef } from '@relay/core/manifest'
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { InvocationError, type Invoker, LOCAL_ACCOUNT, type LocalService } from './invoke.js'
import { PROBLEM_JSON, problemBody, sendProblem } from './problem.js'
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

/** A local-only route's answer (JSON; a 4xx/5xx body should be a `problemBody`). */
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
  /** Handles `/_local/...` (decoded segments after `_local`); undefined → 404. */
  local?(
    method: string,
    segments: readonly string[],
    query: URLSearchParams,
    body: string,
  ): Promise<LocalAnswer | undefined>
  /** API Gateway's own payload limit, default 10 MiB; a route's `maxBodyBytes` lowers it for that route. */
  maxBodyBytes?: number
  /** One line per request; default console.log. */
  log?(line: string): void
}

const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|.*\+(json|xml))/i

/** Whether API Gateway passes a body of this content type as text (otherwise base64). */
export function isTextContentType(contentType: string | undefined): boolean {
  return !contentType || TEXT_TYPES.test(contentType.trim())
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

/** Builds the payload format 2.0 event for a matched route. */
export function buildEvent(a: {
  req: IncomingMessage
  url: { pathname: string; search: string; searchParams: URLSearchParams }
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
  // Bytes that are not UTF-8 travel base64-encoded even under a text type: as text they would reach
  // the function with U+FFFD in place of what was sent, and could no longer be refused as invalid.
  const isText = isTextContentType(headers['content-type']) && isUtf8(a.body)
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

/** HTTP API's payload limit. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024

/** A request path split for routing, or why it cannot be routed (→ 400). */
export type ParsedPath =
  | { ok: true; raw: string; segments: string[]; query: string }
  | { ok: false; detail: string }

/**
 * Splits the raw request target without normalising it: `new URL()` would resolve `..` and `%2e%2e`
 * into another route, and `decodeURIComponent` throws on malformed escapes. Every segment must
 * decode, and none may be `.` or `..` (raw or encoded).
 */
export function parsePath(target: string): ParsedPath {
  const q = target.indexOf('?')
  const raw = q < 0 ? target : target.slice(0, q)
  const query = q < 0 ? '' : target.slice(q + 1)
  if (!raw.startsWith('/')) return { ok: false, detail: 'The request target must be an absolute path.' }
  const segments: string[] = []
  for (const segment of raw.split('/').slice(1)) {
    let decoded: string
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      return { ok: false, detail: 'The path holds a malformed percent-encoding.' }
    }
    if (decoded === '.' || decoded === '..')
      return { ok: false, detail: 'The path may not hold "." or ".." segments.' }
    segments.push(decoded)
  }
  return { ok: true, raw, segments, query }
}

/** Reads a body up to `limit` bytes; undefined when it is larger (reading stops there). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (c: Buffer) => {
      size += c.length
      if (size > limit) {
        req.off('data', onData)
        req.pause()
        resolve(undefined)
        return
      }
      chunks.push(c)
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** How long, and how many more bytes, an early answer waits for the client to read it (a lingering close). */
export const LINGER_MS = 1_000
export const LINGER_BYTES = 8 * 1024 * 1024

/**
 * Closing a socket whose client is still uploading resets the connection, and a reset purges the
 * client's receive buffer: the early answer (401, 413) can be lost before the client reads it. So
 * the answer goes out with our side of the connection shut (FIN), what still arrives is discarded
 * (nothing is kept) for at most {@link LINGER_MS} or {@link LINGER_BYTES}, then the socket goes.
 */
function lingerAfter(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket
  // Node ends a `Connection: close` answer with destroySoon(): end the write side only.
  socket.destroySoon = () => {
    socket.end()
  }
  res.once('finish', () => {
    let discarded = 0
    const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref()
    socket.once('close', () => clearTimeout(timer))
    req.on('data', (c: Buffer) => {
      discarded += c.length
      if (discarded > LINGER_BYTES) socket.destroy()
    })
    req.resume()
  })
}

/**
 * Answers without reading (the rest of) the body, then drops the connection: a client still
 * sending gets its answer and a closed socket instead of having 200 MB read and thrown away.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  detail: string,
  options: { headers?: Record<string, string>; extra?: Record<string, unknown>; close?: boolean } = {},
): void {
  const unread = !req.complete
  if (unread) {
    req.pause()
    lingerAfter(req, res)
  }
  sendProblem(res, status, detail, {
    ...options,
    instance: req.url?.split('?')[0] ?? '/',
    close: unread || options.close === true,
  })
}

function bearer(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim()
}

/** Creates the gateway's HTTP server (not yet listening). */
export function createGateway(options: GatewayOptions): Server {
  const routes = compileRoutes(options.services)
  const log = options.log ?? ((line: string) => console.log(line))
  const apiLimit = options.maxBodyBytes ?? API_GATEWAY_MAX_BODY_BYTES

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase()
    const path = parsePath(req.url ?? '/')
    if (!path.ok) return refuse(req, res, 400, path.detail)
    const searchParams = new URLSearchParams(path.query)
    const url = { pathname: path.raw, search: path.query ? `?${path.query}` : '', searchParams }

    if (path.segments[0] === '_local' && options.local) {
      const body = await readBody(req, apiLimit)
      if (!body) return refuse(req, res, 413, `The request body is larger than ${apiLimit} bytes.`)
      const answer = await options.local(method, path.segments.slice(1), searchParams, body.toString())
      if (!answer) return refuse(req, res, 404, `No local route ${method} ${path.raw}`)
      const text = JSON.stringify(answer.body ?? {})
      res.writeHead(answer.status, {
        'content-type': answer.status >= 400 ? PROBLEM_JSON : 'application/json',
        'content-length': Buffer.byteLength(text),
      })
      res.end(text)
      return
    }

    let match: { route: CompiledRoute; values: RegExpExecArray } | undefined
    const allowed = new Set<string>()
    for (const route of routes) {
      const values = route.regex.exec(path.raw)
      if (!values) continue
      if (route.route.method !== method) {
        allowed.add(route.route.method)
        continue
      }
      match = { route, values }
      break
    }
    if (!match && allowed.size)
      return refuse(req, res, 405, `${method} is not allowed on ${path.raw}.`, {
        headers: { allow: [...allowed].join(', ') },
      })
    if (!match) return refuse(req, res, 404, `No route ${method} ${path.raw}.`)
    const { route, values } = match
    const pathParameters: Record<string, string> = {}
    // parsePath decoded every segment already, so these cannot throw.
    route.params.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(values[i + 1] ?? '')
    })

    // The JWT authorizer runs before anything reads the body; roles are the function's business.
    let claims: DevClaims | undefined
    if (route.route.roles !== 'public') {
      const token = bearer(req)
      claims = token ? await options.verify(token) : undefined
      if (!claims)
        return refuse(req, res, 401, 'A valid bearer token is required.', {
          headers: { 'www-authenticate': 'Bearer' },
        })
    }

    const limit = Math.min(apiLimit, route.route.maxBodyBytes ?? apiLimit)
    const tooLarge = () =>
      refuse(req, res, 413, `The request body is larger than ${limit} bytes.`, { extra: { maxBytes: limit } })
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) return tooLarge()
    const body = await readBody(req, limit)
    if (!body) return tooLarge()

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
      const timedOut = err instanceof InvocationError && err.kind === 'Timeout'
      return sendProblem(
        res,
        timedOut ? 504 : 500,
        timedOut ? 'The function did not answer in time.' : 'The function failed.',
        { instance: path.raw, headers: { 'apigw-requestid': event.requestContext.requestId } },
      )
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

  const server = createServer((req, res) => {
    const started = performance.now()
    res.on('finish', () => {
      log(`${req.method} ${req.url} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`)
    })
    // Once the runtime stops, a request that arrives on a kept-alive connection is not taken on:
    // only those already in flight finish.
    const work = server.listening
      ? handle(req, res)
      : Promise.resolve(
          refuse(req, res, 503, 'The local runtime is stopping.', {
            headers: { 'retry-after': '5' },
            close: true,
          }),
        )
    work.catch((err) => {
      log(`gateway error: ${(err as Error).stack ?? err}`)
      if (!res.headersSent) sendProblem(res, 500, 'The gateway failed.', { close: !req.complete })
      else res.end()
    })
  })
  server.on('clientError', (err, socket) => answerClientError(err as NodeJS.ErrnoException, socket))
  return server
}

/**
 * What Node's HTTP parser refuses before any handler runs (request line and headers over 16 KiB,
 * a malformed request line) answered as problem+json too, instead of a bare status line.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'HPE_URI_TOO_LONG' ? 414 : 400
  const detail =
    status === 431
      ? 'The request line and headers are larger than the gateway accepts.'
      : status === 414
        ? 'The request target is longer than the gateway accepts.'
        : 'The request is not valid HTTP.'
  const body = JSON.stringify(problemBody(status, detail))
  socket.end(
    `HTTP/1.1 ${status} ${statusTitle(status)}\r\ncontent-type: ${PROBLEM_JSON}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}
