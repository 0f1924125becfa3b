/**
 * Analytics figures for `npm run bench`: dashboard latency with 1 000 and with 1 000 000 events
 * behind it, and the ingestion rate of the aggregate subscriber.
 *
 * The aggregates are seeded, not ingested through HTTP: the events are generated (18 months across
 * every service) and folded with the service's own pure `planEvent`, on the shard each event id
 * picks, into the store's item shape (`cellItems`: day items and month rollups); then BatchWrite.
 * The dashboard must stay flat between the two: it reads months and edge days, never events.
 */
import type { LocalRuntime } from '@relay/local/runtime'
import { addDays } from '../../services/analytics/src/domain/calendar.js'
import type { Entity } from '../../services/analytics/src/domain/entities.js'
import {
  type AnalyticsEvent,
  type EntityKey,
  entitiesOf,
  planEvent,
} from '../../services/analytics/src/domain/ingest.js'
import { handler as aggregate } from '../../services/analytics/src/handlers/aggregate-events.js'
import { cellItems, shardOf } from '../../services/analytics/src/store/aggregates.js'
import * as f from '../../services/analytics/test/fixtures.js'
import { busEvent } from '../../test/support/bus-events.js'
import { seedTable } from './seed.js'
import { fmtMs, percentile } from './stats.js'

export interface BenchAnalyticsOptions {
  /** Events behind the large tenant (default 1 000 000). */
  events?: number
  samples?: number
  /** Events the ingestion figure delivers (default 2 000). */
  ingest?: number
  progress?: (line: string) => void
}

const DAYS = 548
const SOURCES = ['web', 'referral', 'event', 'outbound', 'partner', 'ads', 'other']
const OWNERS = ['u-ana', 'u-ben', 'u-cy', 'u-dee', 'u-eli', 'u-fay', 'u-gus', 'u-hal']
const STAGES = ['qualification', 'discovery', 'proposal', 'negotiation']

/** Event `i` of a synthetic history ending `today`: a fixed mix across contacts, pipeline, desk and campaigns. */
function eventAt(i: number, today: string): AnalyticsEvent {
  const day = addDays(today, -((i * 7919) % DAYS))
  const slot = i % 40
  const owner = OWNERS[i % OWNERS.length]!
  if (slot < 6) return f.contactCreated(day, { source: SOURCES[i % 7], ownerId: owner, channel: 'web' })
  if (slot < 12) return f.leadCreated(day, SOURCES[i % 7], { campaign: `CMP${i % 5}` })
  if (slot < 13) return f.leadConverted(day, SOURCES[i % 7])
  const deal = `D${Math.floor(i / 40)}`
  const amountMinor = 10_000 + ((i * 31) % 500_000)
  if (slot < 15)
    return f.dealCreated(day, { id: deal, version: 1, amountMinor, ownerId: owner, stageId: STAGES[i % 4] })
  if (slot < 16) return f.dealStageChanged(day, deal, 2, STAGES[(i + 1) % 4]!)
  if (slot < 17)
    return f.dealClosed(day, i % 2 === 0, {
      id: deal,
      version: 3,
      amountMinor,
      ownerId: owner,
      history: [STAGES[i % 4]!, 'won'],
    })
  if (slot < 23) return f.interaction(day, 'web_visit', `C${i % 50_000}`)
  if (slot < 25) return f.interaction(day, 'purchase', `C${i % 50_000}`, 1_000 + (i % 90_000))
  if (slot < 29) return f.ticketOpened(day)
  if (slot < 32) return f.ticketSolved(day, 5 + (i % 300), 30 + (i % 3_000), i % 9 === 0)
  if (slot < 33) return f.ticketRated(day, 1 + (i % 5))
  if (slot < 37) return f.email(day, 'Sent', `C${i % 50_000}`, `CMP${i % 5}`)
  if (slot < 39) return f.email(day, 'Opened', `C${i % 50_000}`, `CMP${i % 5}`)
  return f.email(day, 'Clicked', `C${i % 50_000}`, `CMP${i % 5}`)
}

/** Folds `count` events into the aggregate items the subscriber would have written, shard by shard. */
function aggregateItems(tenantId: string, count: number, today: string): Record<string, unknown>[] {
  const items = new Map<string, Record<string, unknown>>()
  const entities = new Map<EntityKey, Entity>()
  for (let i = 0; i < count; i++) {
    const e = eventAt(i, today)
    const keys = entitiesOf(e)
    const plan = planEvent(e, 'UTC', new Map(keys.map((k) => [k, entities.get(k)] as const)))
    for (const [k, v] of plan.entities) entities.set(k, v)
    // The store's own grouping: day and month items, as the subscriber writes them.
    for (const { key, metrics } of cellItems(tenantId, shardOf(e.id), plan.cells)) {
      const id = `${key.pk}|${key.sk}`
      let item = items.get(id)
      if (!item) {
        item = { ...key, kind: 'agg' }
        items.set(id, item)
      }
      for (const [metric, delta] of metrics)
        item[metric] = ((item[metric] as number | undefined) ?? 0) + delta
    }
  }
  return [...items.values()]
}

async function dashboardTimes(
  runtime: LocalRuntime,
  tenantId: string,
  query: string,
  samples: number,
): Promise<number[]> {
  const token = await runtime.token(tenantId, ['viewer'])
  const times: number[] = []
  for (let i = 0; i < samples + 5; i++) {
    const started = performance.now()
    const res = await fetch(new URL(`/analytics/dashboard?${query}`, runtime.url), {
      headers: { authorization: `Bearer ${token}` },
    })
    if (res.status !== 200) throw new Error(`dashboard → ${res.status} ${await res.text()}`)
    await res.arrayBuffer()
    if (i >= 5) times.push(performance.now() - started)
  }
  return times
}

async function settingsTimes(runtime: LocalRuntime, samples: number): Promise<number[]> {
  const token = await runtime.token('analytics-floor', ['viewer'])
  const times: number[] = []
  for (let i = 0; i < samples + 5; i++) {
    const started = performance.now()
    const res = await fetch(new URL('/analytics/settings', runtime.url), {
      headers: { authorization: `Bearer ${token}` },
    })
    await res.arrayBuffer()
    if (i >= 5) times.push(performance.now() - started)
  }
  return times
}

/** The lines `npm run bench` prints for analytics. */
export async function benchAnalytics(
  runtime: LocalRuntime,
  options: BenchAnalyticsOptions = {},
): Promise<string[]> {
  const samples = options.samples ?? 50
  const today = new Date().toISOString().slice(0, 10)
  const lines: string[] = []
  // Floor: the same stack answering from one GetItem (the settings), measured now on this machine.
  const floor = await settingsTimes(runtime, samples)
  lines.push(
    `Floor GET /analytics/settings (one GetItem), n=${samples}: p50 ${fmtMs(percentile(floor, 50))}, p99 ${fmtMs(percentile(floor, 99))}`,
  )
  const ranges = [
    ['30 days vs previous year', `from=${addDays(today, -29)}&to=${today}&compare=previous_year`],
    ['365 days vs previous period', `from=${addDays(today, -364)}&to=${today}&compare=previous_period`],
  ] as const
  for (const [tenant, count] of [
    ['analytics-1k', 1_000],
    ['analytics-big', options.events ?? 1_000_000],
  ] as const) {
    const foldStarted = performance.now()
    const items = aggregateItems(tenant, count, today)
    const foldMs = performance.now() - foldStarted
    options.progress?.(
      `analytics: ${count} events folded into ${items.length} aggregate items in ${(foldMs / 1000).toFixed(1)} s; seeding`,
    )
    const seedMs = await seedTable(runtime, 'analytics', items.length, (i) => [items[i]!])
    for (const [label, query] of ranges) {
      const t = await dashboardTimes(runtime, tenant, query, samples)
      const ratio = (percentile(t, 50) / percentile(floor, 50)).toFixed(1)
      lines.push(
        `Dashboard ${label}, ${count.toLocaleString('en')} events behind it (${items.length.toLocaleString('en')} aggregate items, seeded in ${(seedMs / 1000).toFixed(1)} s), n=${samples}: p50 ${fmtMs(percentile(t, 50))}, p99 ${fmtMs(percentile(t, 99))} (${ratio}× the floor)`,
      )
    }
  }

  // Ingestion: the aggregate subscriber itself (dedupe read, settings, entities, one transaction),
  // 16 deliveries in flight on one tenant, against the runtime's DynamoDB Local.
  const n = options.ingest ?? 2_000
  const sources: Record<string, string> = {
    Contact: 'crm.contacts',
    Interaction: 'crm.contacts',
    Lead: 'crm.pipeline',
    Deal: 'crm.pipeline',
    Ticket: 'crm.service-desk',
    Email: 'crm.campaigns',
  }
  const deliveries = Array.from({ length: n }, (_, i) => {
    const e = eventAt(i + 7, today)
    return busEvent({
      source: sources[e.type.split('.')[0]!]!,
      detailType: e.type,
      data: e.data,
      id: e.id,
      occurredAt: e.occurredAt,
      tenantId: 'analytics-ingest',
    })
  })
  let retries = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let d = deliveries.pop(); d; d = deliveries.pop())
        for (;;) {
          try {
            await aggregate(d)
            break
          } catch {
            retries++ // a lost race on one deal's revision: the bus would redeliver it
          }
        }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  lines.push(
    `Ingestion (aggregate-events subscriber, 16 in flight, one tenant): ${n} events in ${seconds.toFixed(1)} s = ${Math.round(n / seconds)} events/s (${retries} revision retries)`,
  )
  return lines
}
