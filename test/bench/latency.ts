/**
 * Warm latency per route through the local gateway, against the floor of that route's own DynamoDB
 * calls replayed raw (replay.ts), each request's calls right after the request: route p50 ÷ replay
 * p50 is the route's overhead, and the product's goal is ≤ 1.5×.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import { localDynamoDbClient } from '@relay/local/dynamodb'
import type { CountingProxy, RecordedCall } from './ddb-proxy.js'
import { createReplayer, describeCalls, tablesWritten } from './replay.js'
import type { Call } from './seed.js'
import { fmtMs, percentile, table } from './stats.js'
import { BENCH_ID_HEADER, busyMs, type GatewayTracer } from './trace.js'

/** The product's goal for a route's overhead over its own DynamoDB calls. */
export const OVERHEAD_GOAL = 1.5

export interface LatencyOptions {
  proxy: CountingProxy
  tracer: GatewayTracer
  /** DynamoDB Local itself, not the proxy. */
  ddbEndpoint: string
  call: Call
  samples: number
  warmup: number
  /** Told the id of every contact created, the moment its POST answered (for the event lag). */
  onCreated(id: string): void
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/**
 * p50 of GetItem on a one-item table through each client, `samples` times after a warm-up; the clients
 * take turns so that both see the same moments of a noisy machine.
 */
async function getItemP50s(clients: DynamoDBClient[], samples: number, warmup: number): Promise<number[]> {
  const times = clients.map(() => [] as number[])
  for (let i = 0; i < warmup + samples; i++) {
    for (const [c, client] of clients.entries()) {
      const ms = await timed(() =>
        client.send(new GetItemCommand({ TableName: 'bench-floor', Key: { pk: { S: 'k' } } })),
      )
      if (i >= warmup) times[c]!.push(ms)
    }
  }
  return times.map((t) => percentile(t, 50))
}

export async function benchRoutes(o: LatencyOptions): Promise<{ lines: string[]; ids: string[] }> {
  const raw = localDynamoDbClient(o.ddbEndpoint)
  const viaProxy = localDynamoDbClient(o.proxy.endpoint)
  await raw.send(
    new CreateTableCommand({
      TableName: 'bench-floor',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  )
  await raw.send(new PutItemCommand({ TableName: 'bench-floor', Item: { pk: { S: 'k' }, v: { S: 'x' } } }))
  const [straightP50, proxiedP50] = (await getItemP50s([raw, viaProxy], o.samples, o.warmup)) as [
    number,
    number,
  ]
  viaProxy.destroy()

  let n = 0
  const newContact = () => ({
    firstName: `Bench ${n}`,
    lastName: 'Tŷ Gwyn',
    emails: [{ address: `bench-${n++}@example.com` }],
    tags: ['bench'],
  })
  const ids: string[] = []
  const named = (id?: string): Record<string, string> => (id ? { [BENCH_ID_HEADER]: id } : {})
  const create = async (id?: string) => {
    const { json } = await o.call('POST', '/contacts', newContact(), named(id))
    o.onCreated(json.id)
    ids.push(json.id)
  }
  for (let i = 0; i < 30; i++) await create()
  const anId = () => ids[Math.floor(Math.random() * ids.length)]!
  const routes: Array<{ name: string; run: (id?: string) => Promise<unknown> }> = [
    { name: 'GET /health', run: (id) => o.call('GET', '/health', undefined, named(id)) },
    { name: 'POST /contacts', run: create },
    { name: 'GET /contacts/{id}', run: (id) => o.call('GET', `/contacts/${anId()}`, undefined, named(id)) },
    {
      name: 'PATCH /contacts/{id}',
      run: (id) => o.call('PATCH', `/contacts/${anId()}`, { tags: ['bench', `t${n++}`] }, named(id)),
    },
    {
      name: 'GET /contacts?limit=25',
      run: (id) => o.call('GET', '/contacts?limit=25', undefined, named(id)),
    },
    {
      name: 'GET /analytics/dashboard',
      run: (id) => o.call('GET', '/analytics/dashboard', undefined, named(id)),
    },
    {
      name: 'DELETE /contacts/{id}',
      run: (id) => o.call('DELETE', `/contacts/${ids.pop() ?? anId()}`, undefined, named(id)),
    },
  ]

  const replayer = createReplayer(raw)
  const rows: string[][] = []
  const split: string[][] = []
  const misses: string[] = []
  const sequences: string[] = []
  let replayErrors = 0
  let traced = false
  for (const [r, route] of routes.entries()) {
    // Let the events of earlier routes reach their subscribers before this route's samples.
    await new Promise((resolve) => setTimeout(resolve, 400))
    o.proxy.reset()
    o.proxy.record(true)
    // Warm-up warms the replaying client on this route's calls too, and names the tables it writes.
    const written = new Set<string>()
    for (let i = 0; i < o.warmup; i++) {
      await route.run(`warm-${r}-${i}`)
      for (const t of tablesWritten(o.proxy.callsOf(`warm-${r}-${i}`))) written.add(t)
    }
    await replayer.snapshot([...written])
    for (let i = 0; i < o.warmup; i++) await replayer.replay(o.proxy.callsOf(`warm-${r}-${i}`))
    const times: number[] = []
    const floor: number[] = []
    const recorded: RecordedCall[][] = []
    const parts = { gateway: [] as number[], ddbWait: [] as number[], ddbLocal: [] as number[] }
    for (let i = 0; i < o.samples; i++) {
      if (route.name.startsWith('DELETE') && ids.length < 2) for (let j = 0; j < 20; j++) await create()
      const id = `lat-${r}-${i}`
      times.push(await timed(() => route.run(id)))
      const calls = o.proxy.callsOf(id)
      recorded.push(calls)
      // Replayed right after the request, so both meet the same moment of a noisy machine and the
      // same background work (streams, subscribers) in DynamoDB Local.
      if (calls.length) {
        const { ms, errors } = await replayer.replay(calls)
        floor.push(ms)
        replayErrors += errors.length
      }
      const trace = o.tracer.get(id)
      if (trace?.end !== undefined) {
        parts.gateway.push(trace.end - trace.start)
        parts.ddbWait.push(busyMs(trace.calls.filter((c) => c.dynamodb)))
      }
      parts.ddbLocal.push(calls.reduce((sum, c) => sum + (c.end - c.start), 0))
    }
    o.proxy.record(false)

    const p50 = percentile(times, 50)
    const callsPerRequest = mean(recorded.map((c) => c.length))
    sequences.push(`  ${route.name}: ${describeCalls(recorded[0] ?? [])}`)
    if (callsPerRequest > 0) traced = true
    if (callsPerRequest === 0) {
      rows.push([route.name, fmtMs(p50), fmtMs(percentile(times, 99)), '0', '—', '—', 'no DynamoDB calls'])
      continue
    }
    const floorP50 = percentile(floor, 50)
    const overhead = p50 / floorP50
    const meets = overhead <= OVERHEAD_GOAL
    rows.push([
      route.name,
      fmtMs(p50),
      fmtMs(percentile(times, 99)),
      callsPerRequest.toFixed(Number.isInteger(callsPerRequest) ? 0 : 1),
      fmtMs(floorP50),
      `${overhead.toFixed(1)}×`,
      meets ? `meets ≤ ${OVERHEAD_GOAL}×` : `misses by ${fmtMs(p50 - OVERHEAD_GOAL * floorP50)}`,
    ])
    const gateway = mean(parts.gateway)
    const ddbWait = mean(parts.ddbWait)
    const ddbLocal = Math.min(ddbWait, mean(parts.ddbLocal))
    split.push([
      route.name,
      fmtMs(mean(times)),
      fmtMs(gateway - ddbWait),
      fmtMs(ddbWait),
      fmtMs(ddbLocal),
      fmtMs(ddbWait - ddbLocal),
      fmtMs(mean(times) - gateway),
    ])
    // Meeting the goal leaves everything above the calls' own time half of that time.
    if (!meets)
      misses.push(
        `  ${route.name}: ${fmtMs(p50 - floorP50)} above its floor, budget ${fmtMs((OVERHEAD_GOAL - 1) * floorP50)}; ` +
          `means: ${fmtMs(gateway - ddbWait)} gateway and handler code, ${fmtMs(ddbWait - ddbLocal)} proxy hop ` +
          `and event loop, ${fmtMs(mean(times) - gateway)} client and sockets`,
      )
  }
  raw.destroy()

  const lines = [
    "Warm latency through the local gateway; floor = each request's own DynamoDB calls replayed raw right after it",
    '(straight to DynamoDB Local, low-level SDK client, same order and overlap; writes into a scratch copy, conditions made always-true)',
    `  raw GetItem p50 ${fmtMs(straightP50)} straight, ${fmtMs(proxiedP50)} through the counting proxy (which runs on the ` +
      `runtime's event loop): routes pay that hop on each of their calls, their replay does not`,
    table(
      [
        'route',
        'p50',
        'p99',
        'DynamoDB calls',
        'raw replay p50',
        'overhead',
        `verdict (goal ≤ ${OVERHEAD_GOAL}×)`,
      ],
      rows,
    ),
  ]
  if (!traced)
    lines.push('  ! no DynamoDB call was traced to its request: the calls and floors above are not measured')
  if (replayErrors)
    lines.push(`  ! ${replayErrors} replayed calls failed: those floors are lower than the truth`)
  lines.push('DynamoDB calls of one request (first sample; → in sequence, ‖ overlapping):', ...sequences)
  lines.push(
    'Where the time goes (means per request, from each request traced through the runtime):',
    table(
      [
        'route',
        'total',
        'gateway + handler, outside calls',
        'waiting on DynamoDB',
        'of which DynamoDB Local',
        'proxy hop + event loop',
        'client + sockets',
      ],
      split,
    ),
  )
  if (misses.length)
    lines.push(`Missing ≤ ${OVERHEAD_GOAL}× (a route may add half its calls' time to them):`, ...misses)
  return { lines, ids }
}
