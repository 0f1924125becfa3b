/**
 * Pipeline figures for `npm run bench`: forecast latency at 50 000 deals in one tenant (seeded
 * straight into DynamoDB with the store's own item shape), and the p99 of a stage change including
 * its events (HTTP answer, and until `Deal.StageChanged` is on the local bus).
 */
import type { LocalRuntime } from '@relay/local/runtime'
import { buildDeal } from '../../services/pipeline/src/domain/deal.js'
import { DEFAULT_PIPELINE } from '../../services/pipeline/src/domain/pipeline.js'
import { dealItem } from '../../services/pipeline/src/store/deals.js'
import { type Call, seedTable } from './seed.js'
import { fmtMs, percentile } from './stats.js'

export interface BenchPipelineOptions {
  /** Deals seeded for the forecast figure (default 50 000). */
  deals?: number
  /** Samples per figure (default 100). */
  samples?: number
  /** The tenant of the token `call` uses (default `bench`). */
  tenantId?: string
  progress?: (line: string) => void
}

const OWNERS = ['u-ana', 'u-ben', 'u-cy', 'u-dee', 'u-eli', 'u-fay', 'u-gus', 'u-hal']
const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY']
const OPEN_STAGES = DEFAULT_PIPELINE.stages.filter((s) => !s.outcome).map((s) => s.id)

/** Open deals spread over 16 quarters (2025–2028), 8 owners, 4 currencies, every open stage. */
async function seedDeals(runtime: LocalRuntime, tenantId: string, count: number): Promise<number> {
  const now = new Date().toISOString()
  return seedTable(runtime, 'pipeline', count, (i) => {
    const day = new Date(Date.UTC(2025, 0, 1) + ((i * 37) % 1461) * 86_400_000).toISOString().slice(0, 10)
    const built = buildDeal(
      {
        name: `Seed deal ${i}`,
        amount: { amountMinor: 10_000 + ((i * 7919) % 5_000_000), currency: CURRENCIES[i % 4] ?? 'EUR' },
        closeDate: day,
        stageId: OPEN_STAGES[i % OPEN_STAGES.length] ?? 'qualification',
        ownerId: OWNERS[i % OWNERS.length] ?? 'u-ana',
      },
      {
        id: `01JSEEDDEAL${String(i).padStart(15, '0')}`,
        pipeline: DEFAULT_PIPELINE,
        products: new Map(),
        userId: 'u-bench',
        now,
      },
    )
    if ('problems' in built) throw new Error(`bad seed deal: ${JSON.stringify(built.problems)}`)
    return [dealItem(tenantId, built.deal)]
  })
}

/** The lines `npm run bench` prints for the pipeline service. */
export async function benchPipeline(
  runtime: LocalRuntime,
  call: Call,
  options: BenchPipelineOptions = {},
): Promise<string[]> {
  const count = options.deals ?? 50_000
  const samples = options.samples ?? 100
  const tenantId = options.tenantId ?? 'bench'
  const progress = options.progress ?? (() => {})
  const lines: string[] = []

  // 1. p99 of a stage change including its events: the HTTP answer, and until Deal.StageChanged is published.
  // Measured before seeding: the seed's 50 000 stream records would otherwise queue ahead of the events.
  const { json: deal } = await call('POST', '/deals', {
    name: 'Bench stage changes',
    amount: { amountMinor: 100_000, currency: 'EUR' },
  })
  const published = new Map<number, number>()
  const onPublished = ({ event, at }: { event: any; at: number }) => {
    if (event['detail-type'] === 'Deal.StageChanged' && event.detail?.data?.id === deal.id)
      published.set(Number(event.detail.data.version), at)
  }
  runtime.bus.on('published', onPublished)
  const answer: number[] = []
  const toBus: number[] = []
  try {
    for (let i = 0; i < samples + 5; i++) {
      const stageId = OPEN_STAGES[(i + 1) % OPEN_STAGES.length] ?? 'discovery'
      const t = performance.now()
      const started = Date.now()
      const { json } = await call('POST', `/deals/${deal.id}/stage`, { stageId })
      const answeredMs = performance.now() - t
      const version = Number(json.version)
      const deadline = Date.now() + 5_000
      while (!published.has(version) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1))
      if (i < 5) continue
      answer.push(answeredMs)
      const at = published.get(version)
      if (at !== undefined) toBus.push(at - started)
    }
  } finally {
    runtime.bus.off('published', onPublished)
  }
  lines.push(
    `Stage change POST /deals/{id}/stage, n=${samples}: answer p50 ${fmtMs(percentile(answer, 50))}, p99 ${fmtMs(percentile(answer, 99))}; ` +
      `until Deal.StageChanged is on the bus p50 ${fmtMs(percentile(toBus, 50))}, p99 ${fmtMs(percentile(toBus, 99))}` +
      ` (${toBus.length}/${samples} seen within 5 s)`,
  )
  // 2. Forecast latency at `count` deals in one tenant.
  const seedMs = await seedDeals(runtime, tenantId, count)
  progress(`seeded ${count} deals in ${(seedMs / 1000).toFixed(1)} s`)
  await call('PUT', '/settings/currencies', {
    baseCurrency: 'EUR',
    rates: [
      { currency: 'USD', rate: '0.92' },
      { currency: 'GBP', rate: '1.17' },
      { currency: 'JPY', rate: '0.0061' },
    ],
  })
  for (const period of ['2026-Q4', '2026-11']) {
    const times: number[] = []
    let considered = 0
    let truncated = false
    for (let i = 0; i < samples + 5; i++) {
      const t = performance.now()
      const { json } = await call('GET', `/forecast?period=${period}`)
      if (i >= 5) times.push(performance.now() - t)
      considered = Number(json.total?.deals ?? 0)
      truncated = Boolean(json.truncated)
    }
    lines.push(
      `Forecast GET /forecast?period=${period} at ${count} deals in one tenant (seeded in ${(seedMs / 1000).toFixed(1)} s), n=${samples}: ` +
        `p50 ${fmtMs(percentile(times, 50))}, p99 ${fmtMs(percentile(times, 99))}` +
        `${considered ? `, ${considered} deals in the period` : ''}${truncated ? ' (truncated at 5 000)' : ''}`,
    )
  }

  return lines
}
