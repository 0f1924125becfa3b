/**
 * Tickets: `T#<t>#TICKET#<id>` / `TICKET`, its comments (store/comments.ts) and one tag item per tag
 * (`TAG#<tag>`) in the same partition. The indexes are in store/table.ts: every sort key is the
 * ticket id (a ULID), so each index lists newest first and a created range is a key condition.
 *
 * Access patterns:
 *  T1. By id: GetItem (consistent).
 *  T2. List: one Query on the most selective index the filters name (assignee gsi3 > queue gsi4 >
 *      requester gsi5 > tag gsi1 tag items > status gsi2 > all gsi1), created range as the key
 *      condition, the other filters as a FilterExpression (a page can come back short with a cursor:
 *      DynamoDB filters after the limit). The tag path reads its tickets with BatchGetItem.
 *  T3. Create: Put (attribute_not_exists) + first comment + tag items + outbox events + the
 *      `assign-ticket` work message, one transaction.
 *  T4. Change (patch, comment, assignment, link, erasure): Put at the version read + tag item
 *      changes + what goes with it (comment, work message, events), one transaction or one Work.
 *  T5. A requester's tickets (merge, erasure, email linking): Query gsi5 (all pages).
 *  T6. Waiting tickets of a queue (unassigned, held status), highest priority then oldest first:
 *      Query gsi7 (sparse: an assigned, solved or closed ticket leaves it), a few at a time.
 */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { ListTicketsQuery, Ticket } from '@relay/contracts/service-desk'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, outboxPut, type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { encodeTime } from 'ulid'
import { HOLDING_STATUSES } from '../domain/assignment.js'
import type { Emitted } from '../domain/events.js'
import { publicTicket, type TicketRecord } from '../domain/ticket.js'
import { emailKeyOf } from './requesters.js'
import { surveyRequest } from './surveys.js'
import { envelopes, type Item, queryAll, stillAtVersion, table, ticketKey } from './table.js'

const gsi = {
  all: (t: string) => tenantKey(t, 'TICKETS'),
  tag: (t: string, tag: string) => tenantKey(t, 'TICKETS', 'TAG', tag),
  status: (t: string, s: string) => tenantKey(t, 'TICKETS', 'STATUS', s),
  assignee: (t: string, a: string) => tenantKey(t, 'TICKETS', 'ASSIGNEE', a),
  queue: (t: string, q: string) => tenantKey(t, 'TICKETS', 'QUEUE', q),
  contact: (t: string, c: string) => tenantKey(t, 'TICKETS', 'CONTACT', c),
  email: (t: string, e: string) => tenantKey(t, 'TICKETS', 'EMAIL', emailKeyOf(e)),
  /** Waiting tickets of a queue (`-`: routed to none). */
  waiting: (t: string, q: string | undefined) => tenantKey(t, 'TICKETS', 'WAITING', q ?? NO_QUEUE),
}

/** The waiting partition of tickets no rule routed to a queue (any agent may take them). */
const NO_QUEUE = '-'
/** Waiting order: highest priority first, then oldest (the ticket id is a ULID). */
const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 }

/** A ticket waits for an agent while it is held-status and unassigned (gsi7, sparse). */
function waitingIndex(tenantId: string, t: TicketRecord) {
  if (t.assigneeId || !HOLDING_STATUSES.has(t.status)) return {}
  return { gsi7pk: gsi.waiting(tenantId, t.queueId), gsi7sk: `${PRIORITY_RANK[t.priority] ?? 2}#${t.id}` }
}

/** The requester index key: the contact once known, else the email it came from. */
function requesterIndex(tenantId: string, t: TicketRecord): string | undefined {
  if (t.requester.contactId) return gsi.contact(tenantId, t.requester.contactId)
  if (t.requester.email) return gsi.email(tenantId, t.requester.email)
  return undefined
}

export function ticketItem(tenantId: string, t: TicketRecord): Item {
  const requester = requesterIndex(tenantId, t)
  return {
    ...ticketKey(tenantId, t.id),
    kind: 'ticket',
    gsi1pk: gsi.all(tenantId),
    gsi1sk: t.id,
    gsi2pk: gsi.status(tenantId, t.status),
    gsi2sk: t.id,
    ...(t.assigneeId ? { gsi3pk: gsi.assignee(tenantId, t.assigneeId), gsi3sk: t.id } : {}),
    ...(t.queueId ? { gsi4pk: gsi.queue(tenantId, t.queueId), gsi4sk: t.id } : {}),
    ...(requester ? { gsi5pk: requester, gsi5sk: t.id } : {}),
    ...waitingIndex(tenantId, t),
    ...t,
  }
}

const INDEX_ATTRIBUTES = ['pk', 'sk', 'kind', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk']
const MORE_INDEX_ATTRIBUTES = ['gsi4pk', 'gsi4sk', 'gsi5pk', 'gsi5sk', 'gsi7pk', 'gsi7sk']

/**
 * A stored ticket. Attributes other helpers' stores add to the item (SLA timers...) stay on it;
 * only the index attributes are taken off.
 */
export function ticketOf(item: Item): TicketRecord {
  const t: Item = { ...item }
  for (const a of [...INDEX_ATTRIBUTES, ...MORE_INDEX_ATTRIBUTES]) delete t[a]
  return t as TicketRecord
}

/** T1: a ticket by id (consistent), or undefined. */
export async function getTicket(tenantId: string, id: string): Promise<TicketRecord | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: ticketKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? ticketOf(out.Item) : undefined
}

function tagKey(tenantId: string, ticketId: string, tag: string) {
  return { pk: ticketKey(tenantId, ticketId).pk, sk: `TAG#${tag}` }
}

/** The tag items to put and delete when a ticket's tags go from `before` to `after`. */
function tagItems(tenantId: string, ticketId: string, before: readonly string[], after: readonly string[]) {
  const name = table()
  const items: TransactItem[] = []
  for (const tag of after) {
    if (before.includes(tag)) continue
    items.push({
      Put: {
        TableName: name,
        Item: {
          ...tagKey(tenantId, ticketId, tag),
          kind: 'ticket-tag',
          gsi1pk: gsi.tag(tenantId, tag),
          gsi1sk: ticketId,
          ticketId,
        },
      },
    })
  }
  for (const tag of before) {
    if (!after.includes(tag))
      items.push({ Delete: { TableName: name, Key: tagKey(tenantId, ticketId, tag) } })
  }
  return items
}

/** One ticket change: the ticket before (absent on create) and after, what it emits, what goes with it. */
export interface TicketWrite {
  before?: TicketRecord | undefined
  after: TicketRecord
  events: readonly Emitted[]
  /** Other items of the same transaction: a comment, a work message, SLA timers. */
  items?: readonly TransactItem[]
  /** Events already enveloped by another store (the SLA clock's breaches). */
  envelopes?: readonly DomainEvent[]
}

/** T3/T4: the transaction items of a change (the ticket Put, conditioned; its tag items; the rest). */
export function ticketWriteItems(tenantId: string, w: TicketWrite): TransactItem[] {
  const put = {
    TableName: table(),
    Item: ticketItem(tenantId, w.after),
    ...(w.before ? stillAtVersion(w.before.version) : { ConditionExpression: 'attribute_not_exists(pk)' }),
  }
  return [
    { Put: put },
    ...tagItems(tenantId, w.after.id, w.before?.tags ?? [], w.after.tags),
    ...(w.items ?? []),
  ]
}

/**
 * T3/T4 from a request: the change and its events in one transaction (with the request's
 * idempotency claim). A ticket changed meanwhile → StaleVersion (core answers 412/409).
 */
export async function commitTicketWrite(
  tenantId: string,
  w: TicketWrite,
  correlationId: string,
): Promise<void> {
  await transactWithEvents(
    table(),
    [...ticketWriteItems(tenantId, w), ...surveyRequest(tenantId, w, correlationId)],
    [...envelopes(tenantId, correlationId, w.events), ...(w.envelopes ?? [])],
  )
}

/** T4 from a subscriber or worker: the same change as a Work, committed with its dedupe record. */
export function ticketWriteWork(tenantId: string, w: TicketWrite, correlationId: string): Work {
  const name = table()
  const events = [...envelopes(tenantId, correlationId, w.events), ...(w.envelopes ?? [])]
  return work(
    ...ticketWriteItems(tenantId, w),
    ...surveyRequest(tenantId, w, correlationId),
    ...events.map((e) => outboxPut(name, e)),
  )
}

// ---------------------------------------------------------------------------------------------
// T2: list

const ULID_MIN_RANDOM = '0'.repeat(16)
const ULID_MAX_RANDOM = 'Z'.repeat(16)
const DAY_MS = 86_400_000

/** A range bound as epoch ms: a date alone is its whole UTC day. */
function bound(value: string | undefined, end: boolean): number | undefined {
  if (!value) return undefined
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00.000Z` : value)
  if (!Number.isFinite(ms)) return undefined
  return end && value.length === 10 ? ms + DAY_MS - 1 : ms
}

/** Created range as a key condition on a ticket id (ULID) sort key. */
function createdRange(q: ListTicketsQuery, sk: string) {
  const from = bound(q.createdFrom, false)
  const to = bound(q.createdTo, true)
  const lo = from === undefined ? undefined : encodeTime(Math.max(0, from), 10) + ULID_MIN_RANDOM
  const hi = to === undefined ? undefined : encodeTime(Math.max(0, to), 10) + ULID_MAX_RANDOM
  if (lo && hi) return { condition: ` AND ${sk} BETWEEN :lo AND :hi`, values: { ':lo': lo, ':hi': hi } }
  if (lo) return { condition: ` AND ${sk} >= :lo`, values: { ':lo': lo } }
  if (hi) return { condition: ` AND ${sk} <= :hi`, values: { ':hi': hi } }
  return { condition: '', values: {} }
}

type Filter = { expression: string; names: Record<string, string>; values: Record<string, unknown> }

/** The filters the chosen index does not already apply, as a FilterExpression. */
function filters(
  q: ListTicketsQuery,
  applied: ReadonlySet<string>,
  requester: { contactId?: string | undefined; email?: string | undefined },
): Filter {
  const parts: string[] = []
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  const eq = (field: string, attr: string, value: unknown) => {
    if (value === undefined || applied.has(field)) return
    names[`#${field}`] = attr
    values[`:${field}`] = value
    parts.push(`#${field} = :${field}`)
  }
  eq('status', 'status', q.status)
  eq('priority', 'priority', q.priority)
  eq('assigneeId', 'assigneeId', q.assigneeId)
  eq('queueId', 'queueId', q.queueId)
  eq('channel', 'channel', q.channel)
  if (q.breached !== undefined) eq('breached', 'breached', q.breached === 'true')
  // The requester, when another index serves the query: by contact, else by the address it wrote from.
  const contactId = q.contactId ?? requester.contactId
  if (!applied.has('requester') && (contactId || requester.email)) {
    names['#req'] = 'requester'
    if (contactId) {
      values[':contactId'] = contactId
      parts.push('#req.contactId = :contactId')
    } else {
      values[':reqEmail'] = emailKeyOf(requester.email ?? '')
      parts.push('#req.email = :reqEmail')
    }
  }
  if (q.tag && !applied.has('tag')) {
    names['#tags'] = 'tags'
    values[':tag'] = q.tag
    parts.push('contains(#tags, :tag)')
  }
  const uFrom = bound(q.updatedFrom, false)
  const uTo = bound(q.updatedTo, true)
  if (uFrom !== undefined || uTo !== undefined) names['#updatedAt'] = 'updatedAt'
  if (uFrom !== undefined) {
    values[':uFrom'] = new Date(uFrom).toISOString()
    parts.push('#updatedAt >= :uFrom')
  }
  if (uTo !== undefined) {
    values[':uTo'] = new Date(uTo).toISOString()
    parts.push('#updatedAt <= :uTo')
  }
  return { expression: parts.join(' AND '), names, values }
}

/** Which index serves a query, and which filters it applies by itself. */
function chooseIndex(
  tenantId: string,
  q: ListTicketsQuery,
  requester: { contactId?: string | undefined; email?: string | undefined },
): { index: string; pk: string; applied: Set<string> } {
  if (q.assigneeId)
    return { index: 'gsi3', pk: gsi.assignee(tenantId, q.assigneeId), applied: new Set(['assigneeId']) }
  if (q.queueId) return { index: 'gsi4', pk: gsi.queue(tenantId, q.queueId), applied: new Set(['queueId']) }
  if (requester.contactId)
    return { index: 'gsi5', pk: gsi.contact(tenantId, requester.contactId), applied: new Set(['requester']) }
  if (requester.email)
    return { index: 'gsi5', pk: gsi.email(tenantId, requester.email), applied: new Set(['requester']) }
  if (q.tag) return { index: 'gsi1', pk: gsi.tag(tenantId, q.tag), applied: new Set(['tag']) }
  if (q.status) return { index: 'gsi2', pk: gsi.status(tenantId, q.status), applied: new Set(['status']) }
  return { index: 'gsi1', pk: gsi.all(tenantId), applied: new Set() }
}

/** Tickets by id, in the order given (BatchGetItem; unprocessed keys retried). */
async function ticketsByIds(tenantId: string, ids: readonly string[]): Promise<TicketRecord[]> {
  if (ids.length === 0) return []
  const found = new Map<string, TicketRecord>()
  let keys: Record<string, unknown>[] | undefined = ids.map((id) => ticketKey(tenantId, id))
  for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
    const out = await documentClient().send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
    )
    for (const item of out.Responses?.[table()] ?? []) {
      const t = ticketOf(item)
      found.set(t.id, t)
    }
    keys = out.UnprocessedKeys?.[table()]?.Keys as Record<string, unknown>[] | undefined
  }
  if (keys?.length) throw new Error('BatchGetItem left keys unprocessed after retries')
  return ids.flatMap((id) => found.get(id) ?? [])
}

/** Whether a ticket passes the filters (the tag path applies them after reading its tickets). */
function matches(t: TicketRecord, q: ListTicketsQuery): boolean {
  const from = bound(q.updatedFrom, false)
  const to = bound(q.updatedTo, true)
  const updated = Date.parse(t.updatedAt)
  return (
    (!q.status || t.status === q.status) &&
    (!q.priority || t.priority === q.priority) &&
    (!q.channel || t.channel === q.channel) &&
    (q.breached === undefined || t.breached === (q.breached === 'true')) &&
    (from === undefined || updated >= from) &&
    (to === undefined || updated <= to)
  )
}

/**
 * T2: a page of tickets, newest first. `requester` is the contact or email the caller's
 * `contactId` / `requesterEmail` resolved to (the handler resolves an email through the projection).
 */
export async function listTickets(
  tenantId: string,
  q: ListTicketsQuery,
  requester: { contactId?: string | undefined; email?: string | undefined } = {},
): Promise<Page<Ticket>> {
  const { index, pk, applied } = chooseIndex(tenantId, q, requester)
  const sk = `${index}sk`
  const range = createdRange(q, sk)
  const f = index === 'gsi1' && applied.has('tag') ? undefined : filters(q, applied, requester)
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk${range.condition}`,
      ExpressionAttributeValues: { ':pk': pk, ...range.values, ...(f?.values ?? {}) },
      ...(f?.expression ? { FilterExpression: f.expression, ExpressionAttributeNames: f.names } : {}),
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    },
  )
  const tickets = applied.has('tag')
    ? (
        await ticketsByIds(
          tenantId,
          result.items.map((i) => i.ticketId as string),
        )
      ).filter((t) => matches(t, q))
    : result.items.map(ticketOf)
  return {
    items: tickets.map(publicTicket),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** T5: every ticket of a requester (a contact, or an email no contact had yet), all pages. */
export async function requesterTickets(
  tenantId: string,
  requester: { contactId: string } | { email: string },
): Promise<TicketRecord[]> {
  const pk =
    'contactId' in requester
      ? gsi.contact(tenantId, requester.contactId)
      : gsi.email(tenantId, requester.email)
  const ids = (
    await queryAll({
      TableName: table(),
      IndexName: 'gsi5',
      KeyConditionExpression: 'gsi5pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ProjectionExpression: 'id',
    })
  ).map((i) => i.id as string)
  const out: TicketRecord[] = []
  for (let i = 0; i < ids.length; i += 100) out.push(...(await ticketsByIds(tenantId, ids.slice(i, i + 100))))
  return out
}

/**
 * T6: the first `limit` waiting tickets of each queue in `queueIds` (`undefined`: the tickets no
 * rule routed), merged in waiting order. The index is eventually consistent: the caller re-reads
 * each ticket before assigning it.
 */
export async function waitingTickets(
  tenantId: string,
  queueIds: readonly (string | undefined)[],
  limit: number,
): Promise<string[]> {
  const heads = await Promise.all(
    queueIds.map(async (q) => {
      const out = await documentClient().send(
        new QueryCommand({
          TableName: table(),
          IndexName: 'gsi7',
          KeyConditionExpression: 'gsi7pk = :pk',
          ExpressionAttributeValues: { ':pk': gsi.waiting(tenantId, q) },
          ProjectionExpression: 'id, gsi7sk',
          Limit: limit,
        }),
      )
      return out.Items ?? []
    }),
  )
  return heads
    .flat()
    .sort((a, b) => String(a.gsi7sk).localeCompare(String(b.gsi7sk)))
    .slice(0, limit)
    .map((i) => String(i.id))
}
