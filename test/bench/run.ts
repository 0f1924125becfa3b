/**
 * `npm run bench`: figures, not tests. Every figure is printed beside a floor measured in the same
 * run on the same machine (an empty bundle, the route's own DynamoDB calls replayed raw), because
 * ratios survive a noisy 2-core machine better than absolute times.
 *
 * Sections: bundles, latency (warm latency per route against its raw replay, event lag, gateway
 * throughput), burst (2 000 requests at 32 in flight, where the time goes), contacts, pipeline,
 * analytics.
 *
 * Flags: --quick (fewer samples, data sets 1/50 to 1/10 of the defaults), --skip-bundles,
 * --only=<section,...> (only those sections), --burst (same as --only=burst),
 * --baseline=<file> (compare the bundles with the Bundles table of an earlier run's output; flags growth > 5%),
 * --samples=<n> (per latency figure; default 300, --quick 50), --burst-requests=<n> (default 2 000),
 * --burst-concurrency=<n> (default 32), --functions=<text> (bundles of matching functions only),
 * --contacts=<n> (contacts searched, default 100 000), --import-rows=<n> (default 5 000, see below),
 * --deals=<n> (default 50 000), --analytics-events=<n> (events behind the large analytics tenant, default 1 000 000),
 * --campaign-recipients=<n> (recipients of the campaigns section's send, default 100 000),
 * --desk-tickets=<n> (open tickets behind the SLA check of the desk section, default 100 000).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDynamoDbLocal } from '@relay/local/dynamodb'
import { startLocal } from '@relay/local/runtime'
import { services } from '../../services/index.js'
import { compare, readBaseline } from './baseline.js'
import { measureBundles } from './bundles.js'
import { benchBurst } from './burst.js'
import { startCountingProxy } from './ddb-proxy.js'
import { benchRoutes } from './latency.js'
import type { Call } from './seed.js'
import { fmtKb, fmtMs, percentile, ratio, table } from './stats.js'
import { createTracer } from './trace.js'

const quick = process.argv.includes('--quick')
/** `--name=<value>` as given, else undefined. */
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
/** `--name=<n>` as a number, else the default. */
const flag = (name: string, fallback: number) => {
  const given = option(name)
  return given ? Number(given.replace(/_/g, '')) : fallback
}
const SECTIONS = [
  'bundles',
  'latency',
  'burst',
  'contacts',
  'pipeline',
  'analytics',
  'campaigns',
  'desk',
] as const
const only = process.argv.includes('--burst') ? ['burst'] : option('only')?.split(',')
for (const s of only ?? [])
  if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}"`)
const runs = (section: (typeof SECTIONS)[number]) =>
  (!only || only.includes(section)) && !(section === 'bundles' && process.argv.includes('--skip-bundles'))
const samples = flag('samples', quick ? 50 : 300)
const warmup = Math.min(20, samples)
const baselineFile = option('baseline')

async function bundles(): Promise<void> {
  const baseline = baselineFile ? readBaseline(baselineFile) : undefined
  const { floor, functions } = await measureBundles(quick ? 3 : 7, option('functions'))
  console.log(
    'Bundles (esbuild, ESM, minified, as the CDK app builds them); cold import = median fresh-process import',
  )
  const grown: string[] = []
  const rows = [floor, ...functions].map((f) => {
    const row = [
      f.fn,
      fmtKb(f.bytes),
      fmtMs(f.coldMs),
      ratio(f.bytes, floor.bytes),
      ratio(f.coldMs, floor.coldMs),
    ]
    if (!baseline) return row
    const { cell, grew } = compare(f, baseline)
    if (grew.length) grown.push(`${f.fn} (${grew.join(', ')})`)
    return [...row, cell]
  })
  const header = ['function', 'size', 'cold import', '× empty size', '× empty import']
  console.log(table(baseline ? [...header, 'vs baseline: size / import'] : header, rows))
  if (baseline) {
    const gone = option('functions')
      ? []
      : [...baseline.keys()].filter((fn) => ![floor, ...functions].some((f) => f.fn === fn))
    const emptyBefore = baseline.get(floor.fn)
    console.log(
      `Against ${baselineFile}: ${grown.length ? `${grown.length} grew more than 5%: ${grown.join('; ')}` : 'no function grew more than 5%'}` +
        (gone.length ? `; no longer built: ${gone.join(', ')}` : ''),
    )
    if (emptyBefore)
      console.log(
        `  (the empty handler's own cold import went ${fmtMs(emptyBefore.coldMs)} → ${fmtMs(floor.coldMs)}: ` +
          'a shift of that size across all rows is the machine, not the code)',
      )
  }
  console.log()
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR'
  console.log(`Relay CRM benchmark — node ${process.version}, ${samples} samples per figure\n`)
  if (baselineFile && !runs('bundles'))
    console.log(`(--baseline=${baselineFile} ignored: no bundles section)\n`)
  if (runs('bundles')) await bundles()
  if (!SECTIONS.slice(1).some(runs)) return

  const ddb = await startDynamoDbLocal({ inMemory: true })
  const proxy = await startCountingProxy(ddb.endpoint)
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-bench-'))
  const runtime = await startLocal({
    port: 0,
    stage: 'bench',
    dataDir,
    dynamodbEndpoint: proxy.endpoint,
    quiet: true,
    services,
  })
  const tracer = createTracer()
  const ports = { gateway: Number(new URL(runtime.url).port), proxy: Number(new URL(proxy.endpoint).port) }
  try {
    const token = await runtime.token('bench', ['admin'], 'u-bench')
    const call: Call = async (method, path, body, headers = {}) => {
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

    if (runs('latency')) {
      // Event lag: Contact.Created committed (POST answered) → delivered to analytics' subscriber.
      const answeredAt = new Map<string, number>()
      const lags: number[] = []
      runtime.bus.on('delivered', ({ event, at }) => {
        const data = (event.detail as { data?: { id?: string } } | undefined)?.data
        const t = data?.id ? answeredAt.get(data.id) : undefined
        if (event['detail-type'] === 'Contact.Created' && t !== undefined) lags.push(at - t)
      })
      tracer.start(ports.gateway, ports.proxy)
      const { lines, ids } = await benchRoutes({
        proxy,
        tracer,
        ddbEndpoint: ddb.endpoint,
        call,
        samples,
        warmup,
        onCreated: (id) => answeredAt.set(id, performance.timeOrigin + performance.now()),
      }).finally(() => tracer.stop())
      for (const line of lines) console.log(line)
      console.log()

      await new Promise((r) => setTimeout(r, 1500))
      console.log(
        `Event delivery lag (POST /contacts answered → Contact.Created delivered to analytics), n=${lags.length}: ` +
          `p50 ${fmtMs(percentile(lags, 50))}, p99 ${fmtMs(percentile(lags, 99))}`,
      )

      // Gateway throughput: closed loop, 16 concurrent clients, fixed duration.
      const durationMs = quick ? 2_000 : 5_000
      const anId = () => ids[Math.floor(Math.random() * ids.length)]!
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
      console.log()
    }

    if (runs('burst')) {
      tracer.start(ports.gateway, ports.proxy)
      const lines = await benchBurst({
        url: runtime.url,
        token,
        call,
        proxy,
        tracer,
        total: flag('burst-requests', 2_000),
        concurrency: flag('burst-concurrency', 32),
      }).finally(() => tracer.stop())
      for (const line of lines) console.log(line)
    }

    // Service figures: each seeds its own data at scale straight into DynamoDB, then measures through
    // the API. Imported here so that a service mid-change breaks only its own figures.
    const progress = (line: string) => process.stderr.write(`  … ${line}\n`)
    if (runs('contacts')) {
      console.log('\nContacts')
      const { benchContacts } = await import('./contacts.js')
      // Search at the issue's 100 000 contacts (seeded straight into the table). The import runs
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
    if (runs('pipeline')) {
      console.log('\nPipeline')
      const { benchPipeline } = await import('./pipeline.js')
      for (const line of await benchPipeline(runtime, call, {
        deals: flag('deals', quick ? 5_000 : 50_000),
        progress,
      }))
        console.log(`  ${line}`)
    }
    if (runs('analytics')) {
      console.log('\nAnalytics')
      const { benchAnalytics } = await import('./analytics.js')
      for (const line of await benchAnalytics(runtime, {
        events: flag('analytics-events', quick ? 50_000 : 1_000_000),
        samples: quick ? 20 : 50,
        ingest: quick ? 500 : 2_000,
        progress,
      }))
        console.log(`  ${line}`)
    }
    if (runs('campaigns')) {
      console.log('\nCampaigns')
      const { benchCampaigns } = await import('./campaigns.js')
      for (const line of await benchCampaigns(runtime, call, {
        recipients: flag('campaign-recipients', quick ? 2_000 : 100_000),
        audience: flag('campaign-audience', quick ? 2_000 : 100_000),
        dataDir,
        progress,
      }))
        console.log(`  ${line}`)
    }
    if (runs('desk')) {
      console.log('\nService desk')
      const { benchDesk } = await import('./desk.js')
      for (const line of await benchDesk(runtime, call, {
        openTickets: flag('desk-tickets', quick ? 2_000 : 100_000),
        samples: quick ? 30 : 100,
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
