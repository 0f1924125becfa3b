/**
 * Follows each gateway request through the runtime without touching runtime or service code, from
 * Node's own HTTP diagnostics channels: when the gateway's parser has a request, and when its answer
 * is sent; every outgoing HTTP call made on that request's behalf (the handler's DynamoDB calls to
 * the counting proxy, EventBridge, S3, SES), found through an AsyncLocalStorage entered at the
 * request's start. DynamoDB calls are tagged with the request's id (ddb-proxy.ts files them under it),
 * so a route's calls are told apart from those its events cause in subscribers at the same time.
 *
 * AsyncLocalStorage costs every promise a little while enabled, so tracing is on only while a section
 * that needs it runs (`start()` … `stop()`); the raw replay runs with it on too, so ratios stay fair.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from 'node:http'
import { OWNER_HEADER } from './ddb-proxy.js'

/** The header bench clients put on a request to name it (its trace is found under that id). */
export const BENCH_ID_HEADER = 'x-bench-id'

export interface OutgoingCall {
  dynamodb: boolean
  start: number
  end?: number
}

export interface RequestTrace {
  /** performance.now() when the gateway had parsed the request's head, and when its answer was sent. */
  start: number
  end?: number
  status?: number
  calls: OutgoingCall[]
}

export interface GatewayTracer {
  /** Follows requests to the gateway on `gatewayPort`; calls to `proxyPort` count as DynamoDB calls. */
  start(gatewayPort: number, proxyPort: number): void
  stop(): void
  /** The trace of the request sent with `x-bench-id: <id>`. */
  get(id: string): RequestTrace | undefined
}

/** Length of the union of [start, end] intervals: time spent waiting on at least one call. */
export function busyMs(calls: readonly OutgoingCall[]): number {
  const spans = calls
    .filter((c): c is OutgoingCall & { end: number } => c.end !== undefined)
    .map((c) => [c.start, c.end] as const)
    .sort((a, b) => a[0] - b[0])
  let total = 0
  let from = Number.NEGATIVE_INFINITY
  let to = Number.NEGATIVE_INFINITY
  for (const [s, e] of spans) {
    if (s > to) {
      if (to > from) total += to - from
      from = s
      to = e
    } else to = Math.max(to, e)
  }
  if (to > from) total += to - from
  return total
}

const portOf = (host: unknown) =>
  Number(
    String(host ?? '')
      .split(':')
      .pop(),
  )

export function createTracer(): GatewayTracer {
  const als = new AsyncLocalStorage<{ id: string; trace: RequestTrace }>()
  const traces = new Map<string, RequestTrace>()
  let ports: { gateway: number; proxy: number } | undefined

  const onRequest = (message: unknown) => {
    const { request, server } = message as { request: IncomingMessage; server: Server }
    const address = server.address()
    if (!ports || typeof address !== 'object' || address?.port !== ports.gateway) return
    const id = request.headers[BENCH_ID_HEADER]
    // Always entered, so a request without an id never inherits the previous one's on a kept-alive socket.
    if (typeof id !== 'string') return als.enterWith(undefined as never)
    const trace: RequestTrace = { start: performance.now(), calls: [] }
    traces.set(id, trace)
    als.enterWith({ id, trace })
  }
  const onFinish = (message: unknown) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse }
    const id = request.headers[BENCH_ID_HEADER]
    const trace = typeof id === 'string' ? traces.get(id) : undefined
    if (trace && trace.end === undefined) {
      trace.end = performance.now()
      trace.status = response.statusCode
    }
  }
  const onOutgoing = (message: unknown) => {
    const owner = als.getStore()
    if (!owner || !ports) return
    const { request } = message as { request: ClientRequest }
    const dynamodb = portOf(request.getHeader('host')) === ports.proxy
    if (dynamodb) request.setHeader(OWNER_HEADER, owner.id)
    const call: OutgoingCall = { dynamodb, start: performance.now() }
    owner.trace.calls.push(call)
    request.once('close', () => {
      call.end = performance.now()
    })
  }

  return {
    start(gateway, proxy) {
      ports = { gateway, proxy }
      subscribe('http.server.request.start', onRequest)
      subscribe('http.server.response.finish', onFinish)
      // "created", not "start": the request's headers are still open, so the owner tag can go on.
      subscribe('http.client.request.created', onOutgoing)
    },
    stop() {
      unsubscribe('http.server.request.start', onRequest)
      unsubscribe('http.server.response.finish', onFinish)
      unsubscribe('http.client.request.created', onOutgoing)
      als.disable()
      ports = undefined
      traces.clear()
    },
    get: (id) => traces.get(id),
  }
}
