/**
 * The burst figure of issue 9: 2 000 requests, 32 in flight, against the local gateway, from a client
 * in its own process (burst-client.mjs); a mix of keyed POST /contacts, GET /contacts/{id} and
 * GET /contacts?limit=25. Prints p50/p99 and the 5xx count per kind, and where the time goes: each
 * request is followed inside the runtime (trace.ts) and at the DynamoDB proxy (ddb-proxy.ts).
 */
import { spawn } from 'node:child_process'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { CountingProxy } from './ddb-proxy.js'
import type { Call } from './seed.js'
import { fmtMs, percentile, table } from './stats.js'
import { busyMs, type GatewayTracer } from './trace.js'

export interface BurstOptions {
  url: string
  token: string
  call: Call
  proxy: CountingProxy
  tracer: GatewayTracer
  /** Default 2 000 and 32. */
  total?: number
  concurrency?: number
}

interface ClientResult {
  i: number
  kind: string
  status: number
  ms: number
}
interface ClientReport {
  wallMs: number
  results: ClientResult[]
  repeats: { sent: number; same: number; other: unknown[] }
}

function push<T>(groups: Map<string, T[]>, key: string, value: T): void {
  const group = groups.get(key)
  if (group) group.push(value)
  else groups.set(key, [value])
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

function runClient(config: object): Promise<ClientReport> {
  const script = fileURLToPath(new URL('./burst-client.mjs', import.meta.url))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, BENCH_BURST: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const out: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(Buffer.concat(out).toString()) as ClientReport)
        : reject(new Error(`burst client exited with ${code}`)),
    )
  })
}

export async function benchBurst(o: BurstOptions): Promise<string[]> {
  const total = o.total ?? 2_000
  const concurrency = o.concurrency ?? 32
  const ids: string[] = []
  for (let i = 0; i < 50; i++) {
    const { json } = await o.call('POST', '/contacts', {
      firstName: `Burst seed ${i}`,
      lastName: 'Jones',
      emails: [{ address: `burst-seed-${Date.now()}-${i}@example.com` }],
    })
    ids.push(json.id)
  }
  await new Promise((resolve) => setTimeout(resolve, 500))

  o.proxy.reset()
  o.proxy.record(true)
  const loopDelay = monitorEventLoopDelay({ resolution: 5 })
  loopDelay.enable()
  const elu = performance.eventLoopUtilization()
  const cpu = process.cpuUsage()
  const report = await runClient({ url: o.url, token: o.token, ids, total, concurrency, run: Date.now() })
  const cpuUsed = process.cpuUsage(cpu)
  const utilization = performance.eventLoopUtilization(elu).utilization
  loopDelay.disable()
  o.proxy.record(false)

  const byKind = new Map<string, ClientResult[]>()
  for (const r of report.results) push(byKind, r.kind, r)
  const row = (name: string, rs: ClientResult[]) => {
    const ms = rs.map((r) => r.ms)
    return [
      name,
      String(rs.length),
      fmtMs(percentile(ms, 50)),
      fmtMs(percentile(ms, 99)),
      fmtMs(Math.max(...ms)),
      String(rs.filter((r) => r.status >= 500 || r.status === 0).length),
      String(rs.filter((r) => r.status >= 400 && r.status < 500).length),
    ]
  }

  // Where the time goes, per request, from its trace in the runtime and its calls at the proxy.
  const parts = {
    total: [],
    outside: [],
    inGateway: [],
    ddbWait: [],
    ddbLocal: [],
    hop: [],
    other: [],
  } as Record<string, number[]>
  let ddbCalls = 0
  const perOp = new Map<string, number[]>()
  for (const r of report.results) {
    const trace = o.tracer.get(`burst-${r.i}`)
    if (trace?.end === undefined) continue
    const calls = o.proxy.callsOf(`burst-${r.i}`)
    ddbCalls += calls.length
    for (const c of calls) push(perOp, c.op, c.end - c.start)
    const gateway = trace.end - trace.start
    const ddbWait = busyMs(trace.calls.filter((c) => c.dynamodb))
    const other = busyMs(trace.calls.filter((c) => !c.dynamodb))
    parts.total!.push(r.ms)
    parts.outside!.push(r.ms - gateway)
    parts.inGateway!.push(gateway - ddbWait - other)
    parts.ddbWait!.push(ddbWait)
    const ddbLocal = Math.min(
      ddbWait,
      calls.reduce((sum, c) => sum + (c.end - c.start), 0),
    )
    parts.ddbLocal!.push(ddbLocal)
    parts.hop!.push(ddbWait - ddbLocal)
    parts.other!.push(other)
  }
  const traced = parts.total!.length
  const whole = mean(parts.total!)
  const part = (name: string, key: string) => {
    const xs = parts[key]!
    return [name, fmtMs(mean(xs)), fmtMs(percentile(xs, 50)), `${Math.round((100 * mean(xs)) / whole)}%`]
  }
  const background = o.proxy.background()
  const backgroundBusy = background.reduce((sum, c) => sum + (c.end - c.start), 0)
  const wallS = report.wallMs / 1000
  const fiveXX = report.results.filter((r) => r.status >= 500 || r.status === 0).length

  return [
    `Burst: ${total} requests, ${concurrency} in flight, client in its own process; ` +
      `${Math.round(total / wallS)} req/s over ${wallS.toFixed(1)} s; 5xx (or no answer): ${fiveXX} ` +
      '(issue 9 measured p50 315 ms, p99 1.8 s before the kernel and reliability work)',
    table(
      ['requests', 'n', 'p50', 'p99', 'max', '5xx', '4xx'],
      [row('all', report.results), ...[...byKind].map(([kind, rs]) => row(kind, rs))],
    ),
    `  Idempotency-Key repeats of answered POSTs: ${report.repeats.sent} sent, ${report.repeats.same} answered with ` +
      `the first contact${report.repeats.other.length ? `; others: ${JSON.stringify(report.repeats.other.slice(0, 3))}` : ''}`,
    `  Where the time goes (${traced} of ${total} requests traced through the runtime):`,
    table(
      ['part of a request', 'mean', 'p50', 'share'],
      [
        part('as the client saw it', 'total'),
        part('before the gateway read it, and after it answered (sockets, queue)', 'outside'),
        part('in the gateway and handler, not waiting on a call (CPU + event loop)', 'inGateway'),
        part('waiting on DynamoDB (handler side)', 'ddbWait'),
        part('  of which DynamoDB Local answering, as the proxy saw it', 'ddbLocal'),
        part('  of which the proxy hop and queueing on the event loop', 'hop'),
        part('waiting on EventBridge, S3, SES', 'other'),
      ],
    )
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
    `  Runtime process (gateway, handlers, subscribers, proxy: one event loop): busy ${Math.round(100 * utilization)}% ` +
      `of the burst, event-loop delay p50 ${fmtMs(loopDelay.percentile(50) / 1e6)}, p99 ${fmtMs(loopDelay.percentile(99) / 1e6)}; ` +
      `CPU ${fmtMs((cpuUsed.user + cpuUsed.system) / 1000 / total)} per request`,
    `  DynamoDB: ${(ddbCalls / Math.max(1, traced)).toFixed(1)} calls per request; DynamoDB Local per call p50 ` +
      [...perOp]
        .sort((a, b) => b[1].length - a[1].length)
        .map(([op, ms]) => `${op} ${fmtMs(percentile(ms, 50))} (n=${ms.length})`)
        .join(', ') +
      `; meanwhile ${background.length} calls from subscribers and the outbox publisher kept it busy ` +
      `${fmtMs(backgroundBusy)} (stream polling not counted)`,
  ]
}
