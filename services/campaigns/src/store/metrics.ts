/**
 * A campaign's counters per variant, kept from the campaign's own events (table `main`).
 *
 * | item      | pk                                   | sk           | what                                      |
 * | --------- | ------------------------------------ | ------------ | ----------------------------------------- |
 * | counters  | T#t#CMETRICS#<campaignId>#<shard>    | V#<variantId>| counters (report.ts), `rev:<currency>`    |
 * | markers   | T#t#CMARK#<campaignId>#<contactId>   | MARK         | `open`, `click`, `unsubscribe`, `conversion` |
 * | click     | T#t#CLICKS#<contactId>               | <at>#<campaignId> | a click, for attribution (ttl: its window) |
 *
 * Counters are sharded over {@link SHARDS} partitions by event id: a campaign sending 1 000 a second
 * moves its `sent` counter 1 000 times a second, the write limit of one partition. The report
 * reads them back with one BatchGetItem (variants × shards ≤ 100 keys). The markers of one
 * recipient are one item, so the first open and the first click of a recipient are each counted
 * once: the write sets the marker on condition that it is unset, in the same transaction as the
 * counter; a redelivered event is already stopped by the subscriber's dedupe record, and two
 * different events racing for one marker fail one transaction, which the bus retries and which
 * then sees the marker.
 *
 * Access patterns:
 *  1. A recipient's markers                 GetItem (consistent)
 *  2. Count an event                        TransactWriteItems: UpdateItem ADD on a counter shard,
 *                                           UpdateItem SET markers if unset (with the event's dedupe)
 *  3. A campaign's counters per variant     BatchGetItem of every shard of every variant
 *  4. A contact's clicks in a window        Query pk T#t#CLICKS#<contact>, sk BETWEEN from AND to
 */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import {
  type ClickTouch,
  type Conversion,
  clampWindow,
  DEFAULT_ATTRIBUTION_WINDOW_DAYS,
  lookbackStart,
  windowEndsAt,
} from '../domain/attribution.js'
import {
  COUNTERS,
  type Counter,
  emptyCounters,
  type Marker,
  type MetricEvent,
  metricChange,
  type VariantCounters,
} from '../domain/report.js'
import { table } from './table.js'

/** Counter shards per campaign: 10 partitions take ~10 000 writes a second. */
export const SHARDS = 10
const MARKERS: readonly Marker[] = ['open', 'click', 'unsubscribe', 'conversion']

/** A campaign event's recipient, campaign and variant (contracts `recipientFields`). */
export interface MetricSubject {
  campaignId: string
  variantId: string
  contactId: string
}

function shardOf(id: string): number {
  let h = 0
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0
  return h % SHARDS
}

const counterKey = (tenantId: string, campaignId: string, variantId: string, shard: number) => ({
  pk: tenantKey(tenantId, 'CMETRICS', campaignId, shard),
  sk: `V#${variantId}`,
})
const markerKey = (tenantId: string, campaignId: string, contactId: string) => ({
  pk: tenantKey(tenantId, 'CMARK', campaignId, contactId),
  sk: 'MARK',
})

/** Access pattern 1. */
export async function markersOf(tenantId: string, s: MetricSubject): Promise<Set<Marker>> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: markerKey(tenantId, s.campaignId, s.contactId),
      ConsistentRead: true,
    }),
  )
  return new Set(MARKERS.filter((m) => out.Item?.[m] !== undefined))
}

function counterUpdate(
  tenantId: string,
  s: MetricSubject,
  eventId: string,
  add: readonly Counter[],
  revenue?: { amountMinor: number; currency: string },
): TransactItem {
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = add.length ? { ':one': 1 } : {}
  const parts = add.map((c, i) => {
    names[`#c${i}`] = c
    return `#c${i} :one`
  })
  if (revenue && /^[A-Z]{3}$/.test(revenue.currency)) {
    names['#rev'] = `rev:${revenue.currency}`
    values[':rev'] = revenue.amountMinor
    parts.push('#rev :rev')
  }
  return {
    Update: {
      TableName: table(),
      Key: counterKey(tenantId, s.campaignId, s.variantId, shardOf(eventId)),
      UpdateExpression: `SET campaignId = :campaign, variantId = :variant${parts.length ? ` ADD ${parts.join(', ')}` : ''}`,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: { ...values, ':campaign': s.campaignId, ':variant': s.variantId },
    },
  }
}

function markerUpdate(tenantId: string, s: MetricSubject, mark: readonly Marker[], at: string): TransactItem {
  const names: Record<string, string> = {}
  const sets = mark.map((m, i) => {
    names[`#m${i}`] = m
    return `#m${i} = :at`
  })
  return {
    Update: {
      TableName: table(),
      Key: markerKey(tenantId, s.campaignId, s.contactId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: mark.map((_, i) => `attribute_not_exists(#m${i})`).join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':at': at },
    },
  }
}

/**
 * Access pattern 2: the writes counting one campaign event (undefined: nothing to count, e.g. a
 * second open). `eventId` picks the counter shard.
 */
export async function countEventWork(
  tenantId: string,
  eventId: string,
  event: MetricEvent,
  s: MetricSubject,
  at: string,
): Promise<Work | undefined> {
  const needsMarkers = event === 'opened' || event === 'clicked' || event === 'unsubscribed'
  const marked = needsMarkers ? await markersOf(tenantId, s) : new Set<Marker>()
  const change = metricChange(event, marked)
  const items: TransactItem[] = []
  if (change.add.length) items.push(counterUpdate(tenantId, s, eventId, change.add))
  if (change.mark.length) items.push(markerUpdate(tenantId, s, change.mark, at))
  return items.length ? work(...items) : undefined
}

/** The click a later conversion may be credited to; it expires with its window. */
export function clickTouchWork(tenantId: string, s: MetricSubject, clickedAt: string): Work {
  const windowDays = DEFAULT_ATTRIBUTION_WINDOW_DAYS
  const expires = Math.ceil(Date.parse(windowEndsAt({ clickedAt, windowDays })) / 1000)
  return work({
    Put: {
      TableName: table(),
      Item: {
        pk: tenantKey(tenantId, 'CLICKS', s.contactId),
        sk: `${clickedAt}#${s.campaignId}`,
        kind: 'click-touch',
        campaignId: s.campaignId,
        variantId: s.variantId,
        clickedAt,
        windowDays,
        ttl: expires,
      },
    },
  })
}

/** Access pattern 4: the contact's clicks that could be credited with a conversion at `at`. */
export async function clicksBefore(tenantId: string, contactId: string, at: string): Promise<ClickTouch[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': tenantKey(tenantId, 'CLICKS', contactId),
        ':from': lookbackStart(at),
        ':to': `${at}#\uffff`,
      },
      ScanIndexForward: false,
      Limit: 200,
    }),
  )
  return (out.Items ?? []).map((i) => ({
    campaignId: String(i.campaignId),
    variantId: String(i.variantId),
    clickedAt: String(i.clickedAt),
    windowDays: clampWindow(Number(i.windowDays)),
  }))
}

/**
 * A conversion credited to `touch`: revenue always (each conversion event once, by the
 * subscriber's dedupe), `conversions` once per recipient (its marker).
 */
export async function conversionWork(
  tenantId: string,
  conversion: Conversion,
  touch: ClickTouch,
): Promise<Work> {
  const s = { campaignId: touch.campaignId, variantId: touch.variantId, contactId: conversion.contactId }
  const first = !(await markersOf(tenantId, s)).has('conversion')
  const items = [counterUpdate(tenantId, s, conversion.id, first ? ['conversions'] : [], conversion.amount)]
  if (first) items.push(markerUpdate(tenantId, s, ['conversion'], conversion.at))
  return work(...items)
}

/** Access pattern 3: each variant's counters (zeros for a variant nothing was counted for). */
export async function variantCounters(
  tenantId: string,
  campaignId: string,
  variantIds: readonly string[],
): Promise<Record<string, VariantCounters>> {
  const result: Record<string, VariantCounters> = Object.fromEntries(
    variantIds.map((v) => [v, emptyCounters()]),
  )
  let keys: Record<string, unknown>[] = variantIds.flatMap((v) =>
    Array.from({ length: SHARDS }, (_, shard) => counterKey(tenantId, campaignId, v, shard)),
  )
  for (let attempt = 0; keys.length && attempt < 8; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
    const batch = keys.slice(0, 100)
    const out = await documentClient().send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: batch } } }),
    )
    for (const item of out.Responses?.[table()] ?? []) {
      const c = result[String(item.variantId)]
      if (!c) continue
      for (const k of COUNTERS) c[k] += Number(item[k] ?? 0)
      for (const [attr, v] of Object.entries(item))
        if (attr.startsWith('rev:')) c.revenue[attr.slice(4)] = (c.revenue[attr.slice(4)] ?? 0) + Number(v)
    }
    keys = [
      ...((out.UnprocessedKeys?.[table()]?.Keys as Record<string, unknown>[] | undefined) ?? []),
      ...keys.slice(100),
    ]
  }
  if (keys.length) throw new Error('BatchGetItem left keys unprocessed after retries')
  return result
}
