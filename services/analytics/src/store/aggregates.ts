/**
 * Daily aggregates (table `main`).
 *
 * | item      | pk                              | sk              | attributes                  |
 * | --------- | ------------------------------- | --------------- | --------------------------- |
 * | aggregate | `T#<t>#AGG#<dim>#<shard>`       | `<day>#<value>` | one number per metric       |
 * | month     | `T#<t>#AGGM#<dim>#<shard>`      | `<YYYY-MM>#<value>` | the same, summed by month |
 *
 * `day` is `YYYY-MM-DD` in the tenant's zone, or `~` for lifetime running totals (it sorts last).
 *
 * Access patterns:
 * 1. Add an event's cells     one `UpdateItem ADD m1 :a, m2 :b` per (dim, value, day), all in the
 *                             subscriber's transaction with its dedupe record and entity writes
 *                             (and the same ADD on the day's month item)
 * 2. Read a range of days      Query pk = each shard, sk BETWEEN `<from>` AND `<to>#\uffff`, summed
 * 3. Read a span by months     the same on the month items for whole months (domain/span.ts), days
 *                              for the edges, and the lifetime items: O(months), not O(days)
 *
 * Sharding: every counter is spread over {@link SHARDS} items (the event id picks one, so a replay
 * writes the same shard) and summed when read. A DynamoDB partition takes ~1 000 write units per
 * second and one item never splits across partitions (a transactional write costs 2 units), so a
 * single `all` item would cap a busy tenant near 500 events per second; {@link SHARDS} items (each its
 * own partition key) raise that ceiling four-fold, and the dashboard pays with four parallel Queries
 * per dimension instead of one. Changing the count re-homes no data written before: only raise it
 * with a rebuild (see the README).
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/transact-item'
import { LIFETIME } from '../domain/calendar.js'
import type { Cell, Dimension } from '../domain/cells.js'
import type { DayTable } from '../domain/dashboard.js'
import { monthEnd, spanPlan } from '../domain/span.js'
import { table } from './table.js'

export const SHARDS = 4

/** The shard an event writes: FNV-1a of its id, so the same event always lands on the same shard. */
export function shardOf(eventId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < eventId.length; i++) h = Math.imul(h ^ eventId.charCodeAt(i), 0x01000193)
  return (h >>> 0) % SHARDS
}

export const aggregateKey = (tenantId: string, dim: string, shard: number, day: string, value: string) => ({
  pk: tenantKey(tenantId, 'AGG', dim, shard),
  sk: `${day}#${value}`,
})

export const monthKey = (tenantId: string, dim: string, shard: number, month: string, value: string) => ({
  pk: tenantKey(tenantId, 'AGGM', dim, shard),
  sk: `${month}#${value}`,
})

/** The items (day and month) `cells` add to, with their summed deltas: what pattern 1 writes. */
export function cellItems(tenantId: string, shard: number, cells: readonly Cell[]) {
  const items = new Map<string, { key: { pk: string; sk: string }; metrics: Map<string, number> }>()
  const add = (key: { pk: string; sk: string }, metric: string, delta: number) => {
    const id = `${key.pk}|${key.sk}`
    const item = items.get(id) ?? { key, metrics: new Map<string, number>() }
    item.metrics.set(metric, (item.metrics.get(metric) ?? 0) + delta)
    items.set(id, item)
  }
  for (const c of cells) {
    add(aggregateKey(tenantId, c.dim, shard, c.day, c.value), c.metric, c.delta)
    if (c.day !== LIFETIME)
      add(monthKey(tenantId, c.dim, shard, c.day.slice(0, 7), c.value), c.metric, c.delta)
  }
  return items.values()
}

/** Pattern 1: the transaction items adding `cells` (one Update per aggregate item). */
export function cellUpdates(tenantId: string, shard: number, cells: readonly Cell[]): TransactItem[] {
  const items = cellItems(tenantId, shard, cells)
  const out: TransactItem[] = []
  for (const { key, metrics } of items) {
    const entries = [...metrics].filter(([, v]) => v !== 0)
    if (entries.length === 0) continue
    const names: Record<string, string> = {}
    const values: Record<string, number> = {}
    const adds = entries.map(([metric, delta], i) => {
      names[`#m${i}`] = metric
      values[`:m${i}`] = delta
      return `#m${i} :m${i}`
    })
    out.push({
      Update: {
        TableName: table(),
        Key: key,
        UpdateExpression: `SET kind = if_not_exists(kind, :kind) ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':kind': 'agg' },
      },
    })
  }
  return out
}

const NOT_METRICS = new Set(['pk', 'sk', 'kind'])

/** Pattern 2: the cells of `dim` from `from` to `to` (days, `~` for lifetime), summed over the shards. */
export async function readDays(
  tenantId: string,
  dim: Dimension,
  from: string,
  to: string,
  /** Only these metrics (a breakdown needs two of the item's dozens): fewer bytes read. */
  metrics?: readonly string[],
): Promise<DayTable> {
  const out: Table = new Map()
  await Promise.all(
    Array.from({ length: SHARDS }, (_, shard) =>
      queryInto(
        out,
        tenantKey(tenantId, 'AGG', dim, shard),
        from,
        `${to}#\uffff`,
        asDay,
        projectionOf(metrics),
      ),
    ),
  )
  return out
}

type Table = Map<string, Map<string, Record<string, number>>>

const asDay = (d: string) => d
/** A ProjectionExpression for `metrics` (and the key), or none. */
const projectionOf = (metrics: readonly string[] | undefined): object =>
  metrics
    ? {
        ProjectionExpression: ['sk', ...metrics.map((_, i) => `#p${i}`)].join(', '),
        ExpressionAttributeNames: Object.fromEntries(metrics.map((m, i) => [`#p${i}`, m])),
      }
    : {}

/** Sums one Query's pages into `out`, each item under the day `dayOf(sk prefix)`. */
async function queryInto(
  out: Table,
  pk: string,
  lo: string,
  hi: string,
  dayOf: (prefix: string) => string,
  projection: object,
): Promise<void> {
  let start: Record<string, unknown> | undefined
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': lo, ':to': hi },
        ExclusiveStartKey: start,
        ...projection,
      }),
    )
    for (const item of page.Items ?? []) {
      const sk = String(item.sk)
      const cut = sk.indexOf('#')
      const day = dayOf(sk.slice(0, cut))
      const value = sk.slice(cut + 1)
      const values = out.get(day) ?? new Map<string, Record<string, number>>()
      const m = values.get(value) ?? {}
      for (const [k, v] of Object.entries(item))
        if (!NOT_METRICS.has(k) && typeof v === 'number') m[k] = (m[k] ?? 0) + v
      values.set(value, m)
      out.set(day, values)
    }
    start = page.LastEvaluatedKey
  } while (start)
}

/**
 * Pattern 3: every change of `dim` from `from` on, plus the lifetime totals, as a day table in
 * which a whole month inside one of the caller's ranges (`cuts`: the days its ranges end on) is one
 * entry on its last day. Sums over those ranges and running totals at their ends come out as from
 * the day items, for a fraction of the items read.
 */
export async function readSpan(
  tenantId: string,
  dim: Dimension,
  from: string,
  cuts: readonly string[],
  metrics?: readonly string[],
): Promise<DayTable> {
  const projection = projectionOf(metrics)
  const plan = spanPlan(from, cuts)
  const out: Table = new Map()
  await Promise.all(
    Array.from({ length: SHARDS }, (_, shard) => {
      const days = tenantKey(tenantId, 'AGG', dim, shard)
      const months = tenantKey(tenantId, 'AGGM', dim, shard)
      return Promise.all([
        ...plan.days.map(([a, b]) => queryInto(out, days, a, `${b}#\uffff`, asDay, projection)),
        ...plan.months.map(([a, b]) => queryInto(out, months, a, `${b}#\uffff`, monthEnd, projection)),
        queryInto(out, days, LIFETIME, `${LIFETIME}#\uffff`, asDay, projection),
      ])
    }),
  )
  return out
}
