/**
 * Daily aggregates (table `main`).
 *
 * | item      | pk                              | sk              | attributes                  |
 * | --------- | ------------------------------- | --------------- | --------------------------- |
 * | aggregate | `T#<t>#AGG#<dim>#<shard>`       | `<day>#<value>` | one number per metric       |
 *
 * `day` is `YYYY-MM-DD` in the tenant's zone, or `~` for lifetime running totals (it sorts last).
 *
 * Access patterns:
 * 1. Add an event's cells     one `UpdateItem ADD m1 :a, m2 :b` per (dim, value, day), all in the
 *                             subscriber's transaction with its dedupe record and entity writes
 * 2. Read a range of days      Query pk = each shard, sk BETWEEN `<from>` AND `<to>#\uffff`, summed
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
import type { Cell, Dimension } from '../domain/cells.js'
import type { DayTable } from '../domain/dashboard.js'
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

/** Pattern 1: the transaction items adding `cells` (one Update per aggregate item). */
export function cellUpdates(tenantId: string, shard: number, cells: readonly Cell[]): TransactItem[] {
  const items = new Map<string, { key: { pk: string; sk: string }; metrics: Map<string, number> }>()
  for (const c of cells) {
    const key = aggregateKey(tenantId, c.dim, shard, c.day, c.value)
    const id = `${key.pk}|${key.sk}`
    const item = items.get(id) ?? { key, metrics: new Map<string, number>() }
    item.metrics.set(c.metric, (item.metrics.get(c.metric) ?? 0) + c.delta)
    items.set(id, item)
  }
  const out: TransactItem[] = []
  for (const { key, metrics } of items.values()) {
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
  const projection = metrics
    ? {
        ProjectionExpression: ['sk', ...metrics.map((_, i) => `#p${i}`)].join(', '),
        ExpressionAttributeNames: Object.fromEntries(metrics.map((m, i) => [`#p${i}`, m])),
      }
    : {}
  const out = new Map<string, Map<string, Record<string, number>>>()
  await Promise.all(
    Array.from({ length: SHARDS }, async (_, shard) => {
      let start: Record<string, unknown> | undefined
      do {
        const page = await documentClient().send(
          new QueryCommand({
            TableName: table(),
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: {
              ':pk': tenantKey(tenantId, 'AGG', dim, shard),
              ':from': from,
              ':to': `${to}#\uffff`,
            },
            ExclusiveStartKey: start,
            ...projection,
          }),
        )
        for (const item of page.Items ?? []) {
          const sk = String(item.sk)
          const cut = sk.indexOf('#')
          const day = sk.slice(0, cut)
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
    }),
  )
  return out
}
