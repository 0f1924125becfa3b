/**
 * A counting and recording proxy in front of DynamoDB Local: the benchmark points the runtime at it
 * to learn which DynamoDB calls each request made, and how long DynamoDB Local took to answer them,
 * without touching service code. A call carrying the `x-bench-owner` header (set by trace.ts on calls
 * a gateway request made) is filed under that owner; the header is stripped before forwarding.
 */
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export const OWNER_HEADER = 'x-bench-owner'

export interface RecordedCall {
  /** Operation, e.g. `GetItem`, `TransactWriteItems` (X-Amz-Target without its prefix). */
  op: string
  /** The request body as sent: the low-level API input, AttributeValues and all. */
  body: string
  /** performance.now() when the proxy received the request, and when DynamoDB Local had answered. */
  start: number
  end: number
  status: number
}

export interface CountingProxy {
  endpoint: string
  /** Calls seen since the last reset, by X-Amz-Target (`DynamoDB_20120810.GetItem`, `DynamoDBStreams_20120810.GetRecords`). */
  counts: Map<string, number>
  /** Table calls (not stream polling) since the last reset. */
  tableCalls(): number
  /** Calls of one owner (a gateway request), in the order they arrived; empty if none. */
  callsOf(owner: string): RecordedCall[]
  /** Table calls without an owner (stream polling, subscribers, the outbox publisher) since the last reset. */
  background(): RecordedCall[]
  /** Keep calls (bodies and times) from now on, or stop keeping them; counting goes on either way. */
  record(on: boolean): void
  reset(): void
  close(): Promise<void>
}

const opOf = (target: string) => target.slice(target.indexOf('.') + 1)

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target)
  const counts = new Map<string, number>()
  const byOwner = new Map<string, RecordedCall[]>()
  let background: RecordedCall[] = []
  let recording = false
  const server = createServer((req, res) => {
    const start = performance.now()
    const targetHeader = String(req.headers['x-amz-target'] ?? 'unknown')
    counts.set(targetHeader, (counts.get(targetHeader) ?? 0) + 1)
    const owner = req.headers[OWNER_HEADER] as string | undefined
    const headers = { ...req.headers }
    delete headers[OWNER_HEADER]
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const upstream = request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers },
        (up) => {
          const out: Buffer[] = []
          up.on('data', (c: Buffer) => out.push(c))
          up.on('end', () => {
            const call: RecordedCall = {
              op: opOf(targetHeader),
              body: body.toString('utf8'),
              start,
              end: performance.now(),
              status: up.statusCode ?? 0,
            }
            if (recording && owner) {
              const calls = byOwner.get(owner)
              if (calls) calls.push(call)
              else byOwner.set(owner, [call])
            } else if (recording && targetHeader.startsWith('DynamoDB_')) background.push(call)
            res.writeHead(up.statusCode ?? 502, up.headers)
            res.end(Buffer.concat(out))
          })
        },
      )
      upstream.on('error', (err) => {
        res.writeHead(502)
        res.end(String(err))
      })
      upstream.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    tableCalls: () =>
      [...counts].filter(([op]) => op.startsWith('DynamoDB_')).reduce((sum, [, n]) => sum + n, 0),
    callsOf: (owner) => byOwner.get(owner) ?? [],
    background: () => background,
    record: (on) => {
      recording = on
    },
    reset: () => {
      counts.clear()
      byOwner.clear()
      background = []
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
