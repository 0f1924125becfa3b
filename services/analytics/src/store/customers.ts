/**
 * Customer analytics (table `customers`): what each contact bought and how engaged it was, the
 * scores the scoring run derives from them, and the run's to-do list. Its own table because its
 * subscribers see events that the aggregates' subscriber sees too (dedupe records are per event id
 * and table), and because it publishes (outbox stream) while the busy counter table need not.
 *
 * | item        | pk                      | sk                                    | attributes |
 * | ----------- | ----------------------- | ------------------------------------- | ---------- |
 * | purchase    | `T#<t>#CUST#<shard>`    | `C#<contact>#P#<at>#<event id>`       | amountMinor, currency, items |
 * | engagement  | `T#<t>#CUST#<shard>`    | `C#<contact>#E#<YYYY-MM>`             | n (ADD) |
 * | score       | `T#<t>#CUST#<shard>`    | `C#<contact>#S`                       | the CustomerScores DTO, version |
 * | erased      | `T#<t>#ERASED#<contact>`| `ERASED`                              | erasedAt (no personal data) |
 * | rescore     | `T#<t>#RESCORE`         | `RESCORE`                             | dueAt, gsi1pk `RESCORE`, gsi1sk `<dueAt>#<t>` |
 *
 * Access patterns:
 * 1. Record a purchase / an engagement   Put / Update ADD, with a ConditionCheck that the contact is
 *    not erased, in the subscriber's transaction (a redelivery is deduped, an order does not matter)
 * 2. A tenant's customers for scoring     Query each shard (pages), grouped by contact
 * 3. One contact's score                  GetItem
 * 4. Save changed scores + their events   TransactWriteItems (score Put on the version read + outbox)
 * 5. Tenants due for scoring              Query gsi1 pk = RESCORE, sk ≤ now (sparse: one item per tenant)
 * 6. Erase a contact                      tombstone Put, then Query its sk prefix in its shard, BatchWrite deletes
 * 7. Merge a contact into another         the source's items copied under the target (Puts), then 6
 *
 * A contact's items share a shard (FNV-1a of its id) so pattern 6 is one Query; the tenant spreads
 * over {@link SHARDS} partitions, so an email blast's opens do not all land on one.
 */
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { CustomerScores } from '@relay/contracts/analytics-insights'
import { documentClient, tableName } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, transactWithEvents } from '@relay/core/outbox'
import type { TransactItem } from '@relay/core/transact-item'
import { type Work, work } from '@relay/core/work'
import type { BoughtItem } from '../domain/cross-sell.js'

export const SHARDS = 8
/** A tenant is rescored at least this often even without news (recency ages every day). */
export const RESCORE_EVERY_MS = 86_400_000
const GSI_PK = 'RESCORE'

export const customersTable = (): string => tableName('analytics', 'customers')

export function shardOf(contactId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < contactId.length; i++) h = Math.imul(h ^ contactId.charCodeAt(i), 0x01000193)
  return (h >>> 0) % SHARDS
}

const custPk = (tenantId: string, shard: number) => tenantKey(tenantId, 'CUST', shard)
const contactPrefix = (contactId: string) => `C#${contactId}#`
const scoreKey = (tenantId: string, contactId: string) => ({
  pk: custPk(tenantId, shardOf(contactId)),
  sk: `${contactPrefix(contactId)}S`,
})
const erasedKey = (tenantId: string, contactId: string) => ({
  pk: tenantKey(tenantId, 'ERASED', contactId),
  sk: 'ERASED',
})
const rescoreKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'RESCORE'), sk: 'RESCORE' })

export interface PurchaseRecord {
  at: string
  eventId: string
  amountMinor: number
  currency: string
  items: readonly BoughtItem[]
}

/** Pattern 1: what one event adds to a contact (a purchase and/or one engagement in its month). */
export function activityWork(
  tenantId: string,
  contactId: string,
  activity: { purchase?: PurchaseRecord; engagedAt?: string },
  markDue: string | undefined,
): Work {
  const table = customersTable()
  const pk = custPk(tenantId, shardOf(contactId))
  const items: TransactItem[] = [
    {
      ConditionCheck: {
        TableName: table,
        Key: erasedKey(tenantId, contactId),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]
  const p = activity.purchase
  if (p)
    items.push({
      Put: {
        TableName: table,
        Item: {
          pk,
          sk: `${contactPrefix(contactId)}P#${p.at}#${p.eventId}`,
          kind: 'purchase',
          at: p.at,
          amountMinor: p.amountMinor,
          currency: p.currency,
          items: p.items,
        },
      },
    })
  if (activity.engagedAt)
    items.push({
      Update: {
        TableName: table,
        Key: { pk, sk: `${contactPrefix(contactId)}E#${activity.engagedAt.slice(0, 7)}` },
        UpdateExpression: 'SET kind = :kind ADD n :one',
        ExpressionAttributeValues: { ':kind': 'engagement', ':one': 1 },
      },
    })
  if (markDue) items.push(dueUpdate(tenantId, markDue))
  return work(...items)
}

/** The tenant due for scoring now (a merge changes two contacts' scores at once). */
export function markDueWork(tenantId: string, now: string): Work {
  return work(dueUpdate(tenantId, now))
}

function dueUpdate(tenantId: string, dueAt: string): TransactItem {
  return {
    Update: {
      TableName: customersTable(),
      Key: rescoreKey(tenantId),
      UpdateExpression: 'SET kind = :kind, dueAt = :due, gsi1pk = :gsi, gsi1sk = :sk',
      ExpressionAttributeValues: {
        ':kind': 'rescore',
        ':due': dueAt,
        ':gsi': GSI_PK,
        ':sk': `${dueAt}#${tenantId}`,
      },
    },
  }
}

/**
 * Whether an event at `now` must (re)mark the tenant due: not yet listed, due later, or being
 * scored right now (the run may have read before this event, so it must not clear the mark).
 * Read first so that an email blast does not rewrite the one marker item per open.
 */
export async function needsDueMark(tenantId: string, now: string): Promise<boolean> {
  const out = await documentClient().send(
    new GetCommand({ TableName: customersTable(), Key: rescoreKey(tenantId) }),
  )
  const item = out.Item
  return !item || String(item.dueAt) > now || item.scoringSince !== undefined
}

export async function isErased(tenantId: string, contactId: string): Promise<boolean> {
  const out = await documentClient().send(
    new GetCommand({ TableName: customersTable(), Key: erasedKey(tenantId, contactId) }),
  )
  return out.Item !== undefined
}

export interface StoredCustomer {
  contactId: string
  purchases: PurchaseRecord[]
  /** Engagements per `YYYY-MM`. */
  monthly: Record<string, number>
  score?: CustomerScores & { version: number }
}

/** Pattern 2: every contact of the tenant with anything recorded. */
export async function readCustomers(tenantId: string): Promise<Map<string, StoredCustomer>> {
  const out = new Map<string, StoredCustomer>()
  const of = (contactId: string) => {
    let c = out.get(contactId)
    if (!c) {
      c = { contactId, purchases: [], monthly: {} }
      out.set(contactId, c)
    }
    return c
  }
  await Promise.all(
    Array.from({ length: SHARDS }, async (_, shard) => {
      let start: Record<string, unknown> | undefined
      do {
        const page = await documentClient().send(
          new QueryCommand({
            TableName: customersTable(),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': custPk(tenantId, shard) },
            ExclusiveStartKey: start,
          }),
        )
        for (const item of page.Items ?? []) {
          const sk = String(item.sk)
          const contactId = sk.slice(2, sk.indexOf('#', 2))
          const rest = sk.slice(contactId.length + 3)
          const c = of(contactId)
          if (rest.startsWith('P#'))
            c.purchases.push({
              at: String(item.at),
              eventId: rest.slice(rest.lastIndexOf('#') + 1),
              amountMinor: Number(item.amountMinor ?? 0),
              currency: String(item.currency ?? ''),
              items: Array.isArray(item.items) ? (item.items as BoughtItem[]) : [],
            })
          else if (rest.startsWith('E#')) {
            // `E#<month>` or, moved in by a merge, `E#<month>#from#<source contact>`.
            const month = rest.slice(2, 9)
            c.monthly[month] = (c.monthly[month] ?? 0) + Number(item.n ?? 0)
          } else if (rest === 'S') {
            const { pk: _pk, sk: _sk, kind: _kind, ...score } = item
            c.score = score as CustomerScores & { version: number }
          }
        }
        start = page.LastEvaluatedKey
      } while (start)
    }),
  )
  return out
}

/** Pattern 3. */
export async function getScores(tenantId: string, contactId: string): Promise<CustomerScores | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: customersTable(), Key: scoreKey(tenantId, contactId) }),
  )
  if (!out.Item) return undefined
  const { pk: _pk, sk: _sk, kind: _kind, version: _version, ...score } = out.Item
  return score as CustomerScores
}

export interface ScoreChange {
  scores: CustomerScores
  /** The version read (0 = none yet). */
  expectedVersion: number
  events: DomainEvent[]
}

/**
 * Items per transaction: per contact a check that it was not erased meanwhile, its score Put and at
 * most three events: 20 × 5 stays under the 100-item cap.
 */
const CONTACTS_PER_TRANSACTION = 20

/**
 * Pattern 4: each changed contact's scores with their events, in transactions of up to 20
 * contacts. A Put whose version moved (a concurrent run) or a contact erased since the read cancels
 * its batch, which the next run redoes: returns how many contacts were saved.
 */
export async function saveScores(tenantId: string, changes: readonly ScoreChange[]): Promise<number> {
  const table = customersTable()
  let saved = 0
  for (let i = 0; i < changes.length; i += CONTACTS_PER_TRANSACTION) {
    const batch = changes.slice(i, i + CONTACTS_PER_TRANSACTION)
    const items: TransactItem[] = batch.flatMap((c): TransactItem[] => [
      {
        ConditionCheck: {
          TableName: table,
          Key: erasedKey(tenantId, c.scores.contactId),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: table,
          Item: {
            ...scoreKey(tenantId, c.scores.contactId),
            kind: 'score',
            ...c.scores,
            version: c.expectedVersion + 1,
          },
          ConditionExpression: c.expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(c.expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': c.expectedVersion } }),
        },
      },
    ])
    try {
      await transactWithEvents(
        table,
        items,
        batch.flatMap((c) => c.events),
      )
      saved += batch.length
    } catch (err) {
      if ((err as { name?: string }).name !== 'TransactionCanceledException') throw err
    }
  }
  return saved
}

/** Pattern 5: tenants whose scoring is due at `now`, oldest due first. */
export async function dueTenants(now: string, limit: number): Promise<{ tenantId: string; dueAt: string }[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: customersTable(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':pk': GSI_PK, ':now': `${now}#\uffff` },
      Limit: limit,
    }),
  )
  return (out.Items ?? []).map((item) => {
    const sk = String(item.gsi1sk)
    const cut = sk.indexOf('#')
    return { dueAt: sk.slice(0, cut), tenantId: sk.slice(cut + 1) }
  })
}

/** A run starts: events from now on keep the tenant due (see {@link needsDueMark}). */
export async function startScoring(tenantId: string, now: string): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: customersTable(),
      Key: rescoreKey(tenantId),
      UpdateExpression: 'SET scoringSince = :now',
      ExpressionAttributeValues: { ':now': now },
    }),
  )
}

/**
 * A run ended: due again in a day, unless an event marked it due meanwhile (its `dueAt` then
 * differs from the one the run read: the condition fails and the mark stays for the next run).
 */
export async function finishScoring(tenantId: string, dueRead: string, nextDue: string): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: customersTable(),
        Key: rescoreKey(tenantId),
        UpdateExpression: 'SET dueAt = :next, gsi1sk = :sk REMOVE scoringSince',
        ConditionExpression: 'dueAt = :read',
        ExpressionAttributeValues: { ':next': nextDue, ':sk': `${nextDue}#${tenantId}`, ':read': dueRead },
      }),
    )
    return true
  } catch (err) {
    if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err
    await documentClient().send(
      new UpdateCommand({
        TableName: customersTable(),
        Key: rescoreKey(tenantId),
        UpdateExpression: 'REMOVE scoringSince',
      }),
    )
    return false
  }
}

/**
 * Pattern 6, the bulk: every item of the contact deleted (idempotent, so a retried erasure only
 * deletes again), after {@link putTombstone}.
 */
export async function deleteContactItems(tenantId: string, contactId: string): Promise<number> {
  const items = await contactItems(tenantId, contactId)
  await batchWrite(items.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })))
  return items.length
}

/** Every item of one contact (its shard, its sk prefix). */
async function contactItems(tenantId: string, contactId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = []
  let start: Record<string, unknown> | undefined
  do {
    const page = await documentClient().send(
      new QueryCommand({
        TableName: customersTable(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': custPk(tenantId, shardOf(contactId)),
          ':prefix': contactPrefix(contactId),
        },
        ExclusiveStartKey: start,
      }),
    )
    items.push(...(page.Items ?? []))
    start = page.LastEvaluatedKey
  } while (start)
  return items
}

/** BatchWriteItem in chunks of 25 (its limit), unprocessed items retried with backoff. */
async function batchWrite(requests: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25)
    for (let attempt = 0; pending?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
      const out = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [customersTable()]: pending } }),
      )
      pending = out.UnprocessedItems?.[customersTable()] as Record<string, unknown>[] | undefined
    }
    if (pending?.length) throw new Error('Batch write left items unprocessed after retries')
  }
}

/**
 * Pattern 7, a merge (`targetId` absorbed `sourceId`): the source's purchases and engagement are
 * copied under the target with Puts (purchases keep their keys' tail, engagement months become
 * `E#<month>#from#<source>`), so a retried merge writes the same items again and counts nothing
 * twice. The caller then tombstones and deletes the source.
 */
export async function copyContactItems(
  tenantId: string,
  sourceId: string,
  targetId: string,
): Promise<number> {
  const pk = custPk(tenantId, shardOf(targetId))
  const puts = (await contactItems(tenantId, sourceId)).flatMap((item) => {
    const rest = String(item.sk).slice(contactPrefix(sourceId).length)
    if (rest.startsWith('P#'))
      return [{ PutRequest: { Item: { ...item, pk, sk: `${contactPrefix(targetId)}${rest}` } } }]
    if (rest.startsWith('E#')) {
      const sk = `${contactPrefix(targetId)}E#${rest.slice(2, 9)}#from#${sourceId}`
      return [{ PutRequest: { Item: { ...item, pk, sk } } }]
    }
    return []
  })
  await batchWrite(puts)
  return puts.length
}

/**
 * Pattern 6, first step: the tombstone (a contact id only). Written before the deletes, so a purchase
 * or open committing later fails its ConditionCheck, and one that committed earlier is deleted.
 */
export async function putTombstone(tenantId: string, contactId: string, now: string): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: customersTable(),
      Item: { ...erasedKey(tenantId, contactId), kind: 'erased', erasedAt: now },
    }),
  )
}
