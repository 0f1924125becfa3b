/**
 * A counting proxy in front of DynamoDB Local: the benchmark points the runtime at it to learn how
 * many DynamoDB calls each request made, without touching service code.
 */
import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CountingProxy {
  endpoint: string
  /** Calls seen since the last reset, by X-Amz-Target (`DynamoDB_20120810.GetItem`, `DynamoDBStreams_20120810.GetRecords`). */
  counts: Map<string, number>
  /** Table calls (not stream polling) since the last reset. */
  tableCalls(): number
  reset(): void
  close(): Promise<void>
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target)
  const counts = new Map<string, number>()
  const server = createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? 'unknown')
    counts.set(op, (counts.get(op) ?? 0) + 1)
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', (err) => {
      res.writeHead(502)
      res.end(String(err))
    })
    req.pipe(upstream)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts,
    tableCalls: () =>
      [...counts].filter(([op]) => op.startsWith('DynamoDB_')).reduce((sum, [, n]) => sum + n, 0),
    reset: () => counts.clear(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
