/**
 * `npm run bench`: figures, not tests. Every figure is printed beside a floor measured in the same
 * run on the same machine (an empty bundle, a raw DynamoDB Local GetItem), because ratios survive a
 * noisy 2-core machine better than absolute times.
 *
 * Flags: --quick (fewer samples, data sets 1/50 to 1/10 of the defaults), --skip-bundles,
 * --only=contacts|pipeline (the service figures of one service), --contacts=<n> (contacts searched,
 * default 100 000), --import-rows=<n> (default 5 000, see below), --deals=<n> (default 50 000).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { localDynamoDbClient, startDynamoDbLocal } from '@relay/local/dynamodb'
import { startLocal } from '@relay/local/runtime'
import { services } from '../../services/index.js'
import { measureBundles } from './bundles.js'
import { benchContacts } from './contacts.js'
import { startCountingProxy } from './ddb-proxy.js'
import { benchPipeline } from './pipeline.js'
import { fmtKb, fmtMs, percentile, ratio, table } from './stats.js'

const quick = process.argv.includes('--quick')
const samples = quick ? 50 : 300
/** `--name=<n>` as a number, else the default. */
const flag = (name: string, fallback: number) => {
  const given = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
  return given ? Number(given.replace(/_/g, '')) : fallback
}
const only = process.argv.find((a) => a.startsWith('--only='))?.split('=')[1]
const warmup = 20

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now()
  const value = await fn()
  return [performance.now() - t, value]
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR'
  console.log(`Relay CRM benchmark — node ${process.version}, ${samples} samples per figure\n`)

  if (!process.argv.includes('--skip-bundles')) {
    const { floor, functions } = await measureBundles(quick ? 3 : 7)
    console.log(
      'Bundles (esbuild, ESM, minified, as the CDK app builds them); cold import = median fresh-process import',
    )
    console.log(
      table(
        ['function', 'size', 'cold import', '× empty size', '× empty import'],
        [floor, ...functions].map((f) => [
          f.fn,
          fmtKb(f.bytes),
          fmtMs(f.coldMs),
          ratio(f.bytes, floor.bytes),
          ratio(f.coldMs, floor.coldMs),
        ]),
      ),
    )
    console.log()
  }

  const ddb = await startDynamoDbLocal({ inMemory: true })
  const proxy = await startCountingProxy(ddb.endpoint)
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-bench-'))
  const runtime = await startLocal({
    port: 0,
    stage: 'bench',
    dataDir,
    dynamodbEndpoint: proxy.endpoint,
    services,
    quiet: true,
  })
  try {
    // Floor: a raw GetItem against DynamoDB Local, straight, no proxy, no gateway.
    const raw = localDynamoDbClient(ddb.endpoint)
    await raw.send(
      new CreateTableCommand({
        TableName: 'bench-floor',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    )
    await raw.send(new PutItemCommand({ TableName: 'bench-floor', Item: { pk: { S: 'k' }, v: { S: 'x' } } }))
    const floorTimes: number[] = []
    for (let i = 0; i < warmup + samples; i++) {
      const [ms] = await timed(() =>
        raw.send(new GetItemCommand({ TableName: 'bench-floor', Key: { pk: { S: 'k' } } })),
      )
      if (i >= warmup) floorTimes.push(ms)
    }
    const floorP50 = percentile(floorTimes, 50)

    const token = await runtime.token('bench', ['admin'], 'u-bench')
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await fetch(new URL(path, runtime.url), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      if (res.status >= 400) throw new Error(`${method} ${path} → ${res.status} ${text}`)
      return { res, json: text ? JSON.parse(text) : undefined }
    }

    // Event lag: Contact.Created committed (POST answered) → delivered to analytics' subscriber.
    const answeredAt = new Map<string, number>()
    const lags: number[] = []
    runtime.bus.on('delivered', ({ event, at }) => {
      const data = (event.detail as { data?: { id?: string } } | undefined)?.data
      const t = data?.id ? answeredAt.get(data.id) : undefined
      if (event['detail-type'] === 'Contact.Created' && t !== undefined) lags.push(at - t)
    })

    let n = 0
    const newContact = () => ({
      firstName: `Bench ${n}`,
      lastName: 'Tŷ Gwyn',
      emails: [{ address: `bench-${n++}@example.com` }],
      tags: ['bench'],
    })

    type Route = { name: string; run: () => Promise<unknown> }
    const ids: string[] = []
    const create = async () => {
      const { json } = await call('POST', '/contacts', newContact())
      answeredAt.set(json.id, performance.timeOrigin + performance.now())
      ids.push(json.id)
    }
    for (let i = 0; i < 30; i++) await create()
    const anId = () => ids[Math.floor(Math.random() * ids.length)]!
    const routes: Route[] = [
      { name: 'GET /health', run: () => call('GET', '/health') },
      { name: 'POST /contacts', run: create },
      { name: 'GET /contacts/{id}', run: () => call('GET', `/contacts/${anId()}`) },
      {
        name: 'PATCH /contacts/{id}',
        run: () => call('PATCH', `/contacts/${anId()}`, { tags: ['bench', `t${n++}`] }),
      },
      { name: 'GET /contacts?limit=25', run: () => call('GET', '/contacts?limit=25') },
      { name: 'GET /analytics/summary', run: () => call('GET', '/analytics/summary') },
      {
        name: 'DELETE /contacts/{id}',
        run: async () => call('DELETE', `/contacts/${ids.pop() ?? anId()}`),
      },
    ]

    const rows: string[][] = []
    for (const route of routes) {
      for (let i = 0; i < warmup; i++) await route.run()
      // DynamoDB calls of one request, counted with nothing else in flight.
      await new Promise((r) => setTimeout(r, 400))
      proxy.reset()
      await route.run()
      const calls = proxy.tableCalls()
      const times: number[] = []
      for (let i = 0; i < samples; i++) {
        if (route.name === 'DELETE /contacts/{id}' && ids.length < 2)
          for (let j = 0; j < 20; j++) await create()
        const [ms] = await timed(route.run)
        times.push(ms)
      }
      const p50 = percentile(times, 50)
      rows.push([route.name, fmtMs(p50), fmtMs(percentile(times, 99)), ratio(p50, floorP50), String(calls)])
    }
    console.log(
      `Warm latency through the local gateway (floor: raw DynamoDB Local GetItem p50 ${fmtMs(floorP50)}, p99 ${fmtMs(percentile(floorTimes, 99))})`,
    )
    console.log(table(['route', 'p50', 'p99', '× GetItem p50', 'DynamoDB calls'], rows))
    console.log()

    await new Promise((r) => setTimeout(r, 1500))
    console.log(
      `Event delivery lag (POST /contacts answered → Contact.Created delivered to analytics), n=${lags.length}: ` +
        `p50 ${fmtMs(percentile(lags, 50))}, p99 ${fmtMs(percentile(lags, 99))}`,
    )

    // Gateway throughput: closed loop, 16 concurrent clients, fixed duration.
    const durationMs = quick ? 2_000 : 5_000
    for (const path of ['/health', `/contacts/${anId()}`]) {
      let done = 0
      const end = performance.now() + durationMs
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (performance.now() < end) {
            await call('GET', path)
            done++
          }
        }),
      )
      console.log(
        `Gateway throughput GET ${path.replace(/[0-9A-Z]{26}/, '{id}')}: ${Math.round(done / (durationMs / 1000))} req/s (16 clients)`,
      )
    }

    // Service figures: each seeds its own data at scale straight into DynamoDB, then measures through the API.
    const progress = (line: string) => process.stderr.write(`  … ${line}\n`)
    if (!only || only === 'contacts') {
      console.log('\nContacts')
      // Search at the 100 000 contacts (seeded straight into the table). The import runs
      // 5 000 rows by default: through the whole local stack DynamoDB Local slows down as its stream
      // tables grow (measured: ~55 rows/s for the first 1 000 rows, ~11 rows/s by row 8 000; its
      // GetRecords average reached 220 ms), so 100 000 rows would take hours here and measure the
      // emulator, not the service. --import-rows=100000 runs it anyway.
      for (const line of await benchContacts(runtime, call, {
        searchContacts: flag('contacts', quick ? 2_000 : 100_000),
        importRows: flag('import-rows', quick ? 1_000 : 5_000),
        progress,
      }))
        console.log(`  ${line}`)
    }
    if (!only || only === 'pipeline') {
      console.log('\nPipeline')
      for (const line of await benchPipeline(runtime, call, {
        deals: flag('deals', quick ? 5_000 : 50_000),
        progress,
      }))
        console.log(`  ${line}`)
    }
  } finally {
    await runtime.stop()
    await proxy.close()
    await ddb.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
