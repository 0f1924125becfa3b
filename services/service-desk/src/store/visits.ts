/**
 * On-site visits and the technician slots they hold.
 *
 * | item  | pk / sk                                             | holds                         |
 * | ----- | --------------------------------------------------- | ----------------------------- |
 * | visit | `T#<t>#VISIT#<id>` / `VISIT`                         | the visit                     |
 * | slot  | `T#<t>#TECHSLOT#<technicianId>#<slot start>` / `SLOT` | `visitId`; ttl 30 days after the slot |
 *
 * | index | partition                           | sort                 | lists                       |
 * | ----- | ----------------------------------- | -------------------- | --------------------------- |
 * | gsi1  | `T#<t>#VISITS`                      | `<start>#<id>`       | every visit by window start |
 * | gsi3  | `T#<t>#VISITS#TECH#<technicianId>`  | `<start>#<id>`       | a technician's visits       |
 * | gsi4  | `T#<t>#VISITS#TICKET#<ticketId>`    | `<start>#<id>`       | a ticket's visits           |
 * | gsi5  | `T#<t>#VISITS#CONTACT#<contactId>`  | `<start>#<id>`       | a customer's visits (merge, erasure) |
 *
 * Access patterns:
 *  V1. By id: GetItem (consistent).
 *  V2. List (all / technician / ticket), window start in [from, to]: Query, key condition on sort.
 *  V3. Book: Put visit (attribute_not_exists) + one Put per slot (attribute_not_exists) + Visit.Booked,
 *      one transaction. A slot another visit holds cancels it: {@link TechnicianBooked} (409).
 *  V4. Change: Put at the version read + slot Deletes (only while this visit holds them) + slot Puts
 *      (attribute_not_exists) + its event, one transaction.
 *  V5. Contact merged: the absorbed contact's visits re-pointed; erased: their addresses and notes
 *      replaced (the visit, its technician and times stay for the counts). Direct writes one by one,
 *      as a redelivery simply does them again.
 *
 * Concurrent bookings of one slot: DynamoDB commits one transaction and cancels the other
 * (ConditionalCheckFailed, or TransactionConflict while both are in flight). A conflict is retried
 * a few times, after which it reads as the condition it will become: the slot is taken.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import { VISIT_EVENT } from '@relay/contracts/service-desk'
import type { ListVisitsQuery } from '@relay/contracts/service-desk-field'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { Conflict, NotFound, StaleVersion } from '@relay/core/outcomes'
import type { Emitted } from '../domain/events.js'
import {
  slotsOf,
  TechnicianBooked,
  type VisitChange,
  type VisitRecord,
  visitEventData,
} from '../domain/visit.js'
import { eraseCustomerItems, repointCustomerItems } from './customer-records.js'
import { envelopes, type Item, type Key, table } from './table.js'

/** Slot items outlive their slot this long (a visit in the past can no longer be moved onto). */
const SLOT_TTL_SECONDS = 30 * 86_400
/** Attempts of a transaction DynamoDB cancelled for a conflict with another one in flight. */
const CONFLICT_ATTEMPTS = 4

export const visitKey = (tenantId: string, id: string): Key => ({
  pk: tenantKey(tenantId, 'VISIT', id),
  sk: 'VISIT',
})
const slotKey = (tenantId: string, technicianId: string, slot: string): Key => ({
  pk: tenantKey(tenantId, 'TECHSLOT', technicianId, slot),
  sk: 'SLOT',
})

const gsi = {
  all: (t: string) => tenantKey(t, 'VISITS'),
  tech: (t: string, id: string) => tenantKey(t, 'VISITS', 'TECH', id),
  ticket: (t: string, id: string) => tenantKey(t, 'VISITS', 'TICKET', id),
  contact: (t: string, id: string) => tenantKey(t, 'VISITS', 'CONTACT', id),
}
const INDEX = [
  'pk',
  'sk',
  'kind',
  'gsi1pk',
  'gsi1sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
]

function visitOf(item: Item): VisitRecord {
  const v: Item = { ...item }
  for (const a of INDEX) delete v[a]
  return v as VisitRecord
}

function visitItem(tenantId: string, v: VisitRecord): Item {
  const sort = `${v.window.start}#${v.id}`
  return {
    ...visitKey(tenantId, v.id),
    kind: 'visit',
    gsi1pk: gsi.all(tenantId),
    gsi1sk: sort,
    gsi3pk: gsi.tech(tenantId, v.technicianId),
    gsi3sk: sort,
    ...(v.ticketId ? { gsi4pk: gsi.ticket(tenantId, v.ticketId), gsi4sk: sort } : {}),
    ...(v.contactId ? { gsi5pk: gsi.contact(tenantId, v.contactId), gsi5sk: sort } : {}),
    ...v,
  }
}

function slotPuts(
  tenantId: string,
  visitId: string,
  technicianId: string,
  slots: readonly string[],
): TransactItem[] {
  return slots.map((slot) => ({
    Put: {
      TableName: table(),
      Item: {
        ...slotKey(tenantId, technicianId, slot),
        kind: 'tech-slot',
        visitId,
        technicianId,
        slot,
        ttl: Math.floor(Date.parse(slot) / 1000) + SLOT_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }))
}

function slotDeletes(
  tenantId: string,
  visitId: string,
  technicianId: string,
  slots: readonly string[],
): TransactItem[] {
  return slots.map((slot) => ({
    Delete: {
      TableName: table(),
      Key: slotKey(tenantId, technicianId, slot),
      // Only a slot this visit holds (a slot that expired is simply absent: nothing to release).
      ConditionExpression: 'attribute_not_exists(pk) OR visitId = :me',
      ExpressionAttributeValues: { ':me': visitId },
    },
  }))
}

const reasonsOf = (err: unknown): (string | undefined)[] =>
  ((err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map((r) => r?.Code)

/**
 * Runs a booking transaction, retrying the cancellations a concurrent transaction caused. A failed
 * condition of one of `items` is handed to `explain` with its index (the outbox items and the
 * request's idempotency claim come after them: their failures are rethrown as they are).
 */
async function commitBooking(
  items: TransactItem[],
  events: ReturnType<typeof envelopes>,
  explain: (index: number) => never,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWithEvents(table(), items, events)
      return
    } catch (err) {
      const reasons = reasonsOf(err)
      const failed = reasons.indexOf('ConditionalCheckFailed')
      if (failed >= 0 && failed < items.length) explain(failed)
      const conflict =
        (err as { name?: string }).name === 'TransactionCanceledException' &&
        reasons.includes('TransactionConflict')
      if (!conflict || attempt >= CONFLICT_ATTEMPTS) throw err
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30))
    }
  }
}

const event = (v: VisitRecord, kind: 'booked' | 'completed'): Emitted => ({
  detailType: kind === 'booked' ? VISIT_EVENT.booked : VISIT_EVENT.completed,
  data: visitEventData(v, kind),
})

/** V1. */
export async function getVisit(tenantId: string, id: string): Promise<VisitRecord | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: visitKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? visitOf(out.Item) : undefined
}

/** V3: books a new visit, holding its technician's slots; {@link TechnicianBooked} when one is taken. */
export async function bookVisit(tenantId: string, v: VisitRecord, correlationId: string): Promise<void> {
  const slots = slotsOf(v.window)
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table(),
        Item: visitItem(tenantId, v),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...slotPuts(tenantId, v.id, v.technicianId, slots),
  ]
  await commitBooking(items, envelopes(tenantId, correlationId, [event(v, 'booked')]), (index) => {
    if (index === 0) throw new Conflict('A visit with this id exists already.')
    throw new TechnicianBooked(v.technicianId, index > 0 ? slots[index - 1] : undefined)
  })
}

/** V4: applies a decided change to the visit still at `expectedVersion`. */
export async function changeVisit(
  tenantId: string,
  before: VisitRecord,
  change: VisitChange,
  expectedVersion: number,
  correlationId: string,
): Promise<void> {
  const { next, release, take } = change
  const items: TransactItem[] = [
    {
      Put: {
        TableName: table(),
        Item: visitItem(tenantId, next),
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    },
    ...slotDeletes(tenantId, before.id, release.technicianId, release.slots),
    ...slotPuts(tenantId, before.id, take.technicianId, take.slots),
  ]
  const firstTake = 1 + release.slots.length
  await commitBooking(
    items,
    envelopes(tenantId, correlationId, change.event ? [event(next, change.event)] : []),
    (index) => {
      if (index >= firstTake) throw new TechnicianBooked(take.technicianId, take.slots[index - firstTake])
      throw new StaleVersion()
    },
  ).catch(async (err: unknown) => {
    if (err instanceof StaleVersion && !(await getVisit(tenantId, before.id))) throw new NotFound()
    throw err
  })
}

/** V2: a page of visits by window start (oldest first), narrowed to a technician or a ticket. */
export async function listVisits(tenantId: string, q: ListVisitsQuery): Promise<Page<VisitRecord>> {
  const [index, pk] = q.technicianId
    ? ['gsi3', gsi.tech(tenantId, q.technicianId)]
    : q.ticketId
      ? ['gsi4', gsi.ticket(tenantId, q.ticketId)]
      : ['gsi1', gsi.all(tenantId)]
  // Sort keys are `<ISO start>#<id>`: '#' (0x23) sorts below every digit, '~' above every id.
  const from = q.from ? new Date(q.from).toISOString() : undefined
  const to = q.to ? `${new Date(q.to).toISOString()}#~` : undefined
  const range =
    from && to ? ' AND #sk BETWEEN :from AND :to' : from ? ' AND #sk >= :from' : to ? ' AND #sk <= :to' : ''
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: index,
      KeyConditionExpression: `#pk = :pk${range}`,
      ExpressionAttributeNames: { '#pk': `${index}pk`, ...(range ? { '#sk': `${index}sk` } : {}) },
      ExpressionAttributeValues: {
        ':pk': pk,
        ...(from ? { ':from': from } : {}),
        ...(to ? { ':to': to } : {}),
      },
    },
    {
      tenantId,
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    },
  )
  return { items: result.items.map(visitOf), ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }
}

/** V5: the absorbed contact's visits now belong to the survivor; returns how many moved. */
export function repointVisits(tenantId: string, from: string, to: string, now: string): Promise<number> {
  return repointCustomerItems(gsi.contact(tenantId, from), {
    from,
    to,
    toIndexPk: gsi.contact(tenantId, to),
    now,
  })
}

/** V5: an erased contact's visits keep technician, times and outcome; the address and notes go. */
export function eraseVisits(tenantId: string, contactId: string, now: string): Promise<number> {
  return eraseCustomerItems(gsi.contact(tenantId, contactId), (item) => ({
    UpdateExpression: 'SET address = :erased, updatedAt = :now REMOVE notes, outcomeNotes',
    ExpressionAttributeValues: {
      ':erased': {
        line1: '[erased]',
        city: '[erased]',
        country: (item.address as { country?: string })?.country ?? 'ZZ',
      },
      ':now': now,
    },
  }))
}
