/**
 * SLA clocks of tickets and the due-time index the scheduled check reads.
 *
 * | item  | pk                  | sk                           | gsi6 (sparse: only while the check must look)                 |
 * | ----- | ------------------- | ---------------------------- | ------------------------------------------------------------- |
 * | clock | `T#t#SLA#<ticketId>`| `CLOCK#<target>#<cycle:000>` | `SLA#DUE#<shard>` / `<next check at>#<tenant>#<ticket>#<target>#<cycle>` |
 *
 * Access patterns:
 * 1. A ticket's clocks: Query pk (consistent), a handful of items.
 * 2. Clocks due by `now` (the scheduled check, all tenants): Query gsi6 per shard, sk ≤ now. Only
 *    clocks whose warning or due time has come are read, whatever the number of open tickets; a
 *    clock leaves the index when it is met, paused, stopped or breached. The one key without a
 *    tenant prefix, because the check serves every tenant: each entry names its tenant, and the
 *    clock and ticket it fires are read back under that tenant's keys. Sharded
 *    ({@link DUE_SHARDS} partitions, by ticket id) so no index partition takes every write.
 * 3. Fire a warning or breach: one transaction of the clock (at its version), the ticket's summary
 *    (at its version), the event and, on a breach with escalation rules, the escalation message.
 *    Two overlapping runs cannot both win: exactly one event per target and cycle.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { SERVICE_DESK_SOURCE, TICKET_EVENT, type Ticket } from '@relay/contracts/service-desk'
import type { SlaOutcome } from '@relay/contracts/service-desk-events'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, newEvent, type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { type BusinessCalendar, localDate } from '../domain/business-hours.js'
import {
  anyBreached,
  applySignal,
  type ClockContext,
  checkClock,
  clockCalendar,
  escalationsFor,
  minutesLeft,
  nextCheckAt,
  type SlaAlarm,
  type SlaClock,
  type SlaSignal,
  selectPolicy,
  summary,
  usedMs,
} from '../domain/sla.js'
import { queueItem } from '../queues.js'
import { asSlaPolicy, calendarOf, getBusinessHours, getPolicy, slaSettings } from './policies.js'
import { table, ticketKey } from './table.js'

/** Partitions of the due-time index: writes spread over them, the check queries each. */
export const DUE_SHARDS = 8
/** Most clocks one shard yields per run; the rest come next minute. */
export const DUE_PAGE = 200
export const ESCALATION_QUEUE = 'sla-escalations' as const

type Item = Record<string, unknown>

const clocksPk = (t: string, ticketId: string) => tenantKey(t, 'SLA', ticketId)
const clockSk = (c: Pick<SlaClock, 'target' | 'cycle'>) =>
  `CLOCK#${c.target}#${String(c.cycle).padStart(3, '0')}`

/** The shard of a ticket's clocks (FNV-1a of its id). */
export function shardOf(ticketId: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < ticketId.length; i++) h = Math.imul(h ^ ticketId.charCodeAt(i), 0x01000193)
  return (h >>> 0) % DUE_SHARDS
}

/** The stored item of a clock (next version), in the due index while the check must look at it. */
export function clockItem(tenantId: string, ticketId: string, clock: SlaClock): Item {
  const at = nextCheckAt(clock)
  return {
    pk: clocksPk(tenantId, ticketId),
    sk: clockSk(clock),
    kind: 'sla-clock',
    tenantId,
    ticketId,
    ...clock,
    version: clock.version + 1,
    ...(at
      ? {
          gsi6pk: `SLA#DUE#${shardOf(ticketId)}`,
          gsi6sk: `${at}#${tenantId}#${ticketId}#${clock.target}#${clock.cycle}`,
        }
      : {}),
  }
}

function clockOf(item: Item): SlaClock {
  const { pk: _p, sk: _s, kind: _k, tenantId: _t, ticketId: _i, gsi6pk: _g, gsi6sk: _h, ...clock } = item
  return clock as unknown as SlaClock
}

/** The write of a changed clock, conditioned on the version it was read at (0: new). */
function clockPut(tenantId: string, ticketId: string, clock: SlaClock): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: clockItem(tenantId, ticketId, clock),
      ...(clock.version === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': clock.version },
          }),
    },
  }
}

/** Pattern 1: a ticket's clocks. */
export async function ticketClocks(tenantId: string, ticketId: string): Promise<SlaClock[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': clocksPk(tenantId, ticketId) },
      ConsistentRead: true,
    }),
  )
  return (out.Items ?? []).map(clockOf)
}

/** An SLA event the clocks raised, with the ticket's reference and dimensions. */
export function alarmEvent(
  tenantId: string,
  ticket: Ticket,
  alarm: SlaAlarm,
  ctx: ClockContext,
  correlationId: string,
): DomainEvent {
  const c = alarm.clock
  const data = {
    ticketId: ticket.id,
    version: ticket.version,
    ...(ticket.requester.contactId ? { contactId: ticket.requester.contactId } : {}),
    ...(ticket.companyId ? { companyId: ticket.companyId } : {}),
    channel: ticket.channel,
    priority: ticket.priority,
    type: ticket.type,
    ...(ticket.category ? { category: ticket.category } : {}),
    ...(ticket.queueId ? { queueId: ticket.queueId } : {}),
    ...(ticket.assigneeId ? { assigneeId: ticket.assigneeId } : {}),
    target: c.target,
    policyId: c.policyId,
    targetMinutes: c.targetMinutes,
    dueAt: c.breachedAt ?? c.dueAt ?? ctx.now,
    ...(alarm.kind === 'warning'
      ? { minutesLeft: Math.max(0, minutesLeft(c, ctx)), warnedAt: c.warnedAt ?? ctx.now }
      : { breachedAt: c.breachedAt ?? ctx.now }),
  }
  return newEvent({
    source: SERVICE_DESK_SOURCE,
    detailType: alarm.kind === 'warning' ? TICKET_EVENT.slaWarning : TICKET_EVENT.slaBreached,
    tenantId,
    data,
    correlationId,
  })
}

/** The escalation message of a breach, when the policy has rules for its target. */
function escalationItem(
  tenantId: string,
  ticket: Pick<Ticket, 'id' | 'priority'>,
  alarm: SlaAlarm,
  ctx: ClockContext,
  correlationId: string,
): TransactItem[] {
  if (alarm.kind !== 'breach' || escalationsFor(ctx.policy, alarm.clock.target).length === 0) return []
  return [
    queueItem(ESCALATION_QUEUE, {
      tenantId,
      ticketId: ticket.id,
      target: alarm.clock.target,
      cycle: alarm.clock.cycle,
      policyId: alarm.clock.policyId,
      priorityAtBreach: ticket.priority,
      correlationId,
    }),
  ]
}

/** What a ticket write carries for its SLA (see {@link slaForChange}). */
export interface SlaWrites {
  /** The ticket's `sla` after the change (undefined: no policy applies). */
  sla: Ticket['sla']
  /** The ticket's `breached` after the change. */
  breached: boolean
  /** Clock writes and escalation messages: into the ticket's own transaction. */
  items: TransactItem[]
  /** Breaches the change revealed (a target that ran out unseen): into the same transaction. */
  events: DomainEvent[]
  /** On a move to solved: the figures `Ticket.Solved` carries (business minutes, per-target outcome). */
  solved?: SolvedFigures
}

/** What `Ticket.Solved` says of the SLA (desk-tickets' domain/events.ts `SolvedFigures`). */
export interface SolvedFigures {
  policyId?: string | undefined
  firstResponseMinutes?: number | undefined
  resolutionMinutes?: number | undefined
  sla: SlaOutcome[]
}

/**
 * The order in which the signals of one change apply, whatever order they come in: a reply that
 * also solves meets the response target before the solve stops what is left; a requester reply
 * that reopens starts its next-response cycle on the reopened ticket.
 */
const SIGNAL_ORDER: readonly SlaSignal['kind'][] = [
  'created',
  'agent-reply',
  'status',
  'requester-reply',
  'priority',
]

/**
 * The SLA hook of the ticket store: called with the ticket AFTER a change (its new version; `sla`
 * and `breached` as they were) and what changed, in order (a reply that also sets a status is two
 * signals); returns what the ticket's transaction must also write. A ticket created without a
 * policy (none by default, no agreement in force) gets no clocks.
 */
export async function slaForChange(
  tenantId: string,
  ticket: Ticket,
  signals: readonly SlaSignal[],
  now: string,
  correlationId: string,
): Promise<SlaWrites> {
  const unchanged: SlaWrites = { sla: ticket.sla, breached: ticket.breached, items: [], events: [] }
  if (signals.length === 0) return unchanged
  let selection: { policyId: string; agreementId?: string } | undefined
  let calendar: BusinessCalendar
  let clocks: SlaClock[] = []
  if (signals.some((s) => s.kind === 'created')) {
    const { hours, agreements } = await slaSettings(tenantId, ticket.companyId)
    calendar = calendarOf(hours)
    selection = selectPolicy(ticket.companyId, agreements, hours.defaultPolicyId, localDate(calendar, now))
  } else {
    if (!ticket.sla?.policyId) return unchanged
    selection = {
      policyId: ticket.sla.policyId,
      ...(ticket.sla.agreementId ? { agreementId: ticket.sla.agreementId } : {}),
    }
    const [hours, stored] = await Promise.all([getBusinessHours(tenantId), ticketClocks(tenantId, ticket.id)])
    calendar = calendarOf(hours)
    clocks = stored
  }
  if (!selection) return unchanged
  const stored = await getPolicy(tenantId, selection.policyId)
  // The policy was deleted or never existed: the ticket runs without clocks.
  if (!stored) return unchanged
  const ctx: ClockContext = { policy: asSlaPolicy(stored), businessHours: calendar, now }
  const merged = new Map(clocks.map((c) => [clockSk(c), c]))
  const changed = new Map<string, SlaClock>()
  const alarms: SlaAlarm[] = []
  for (const signal of [...signals].sort(
    (a, b) => SIGNAL_ORDER.indexOf(a.kind) - SIGNAL_ORDER.indexOf(b.kind),
  )) {
    const out = applySignal([...merged.values()], ticket, signal, ctx)
    for (const c of out.changed) {
      merged.set(clockSk(c), c)
      changed.set(clockSk(c), c)
    }
    alarms.push(...out.alarms)
  }
  const all = [...merged.values()]
  const cal = clockCalendar(ctx)
  const solving = signals.some((s) => s.kind === 'status') && ticket.status === 'solved'
  return {
    ...(solving ? { solved: solvedFigures(all, selection.policyId, cal, now) } : {}),
    sla: summary(all, selection, cal, now),
    breached: ticket.breached || anyBreached(all),
    items: [
      ...[...changed.values()].map((c) => clockPut(tenantId, ticket.id, c)),
      ...alarms.flatMap((a) => escalationItem(tenantId, ticket, a, ctx, correlationId)),
    ],
    events: alarms.map((a) => alarmEvent(tenantId, ticket, a, ctx, correlationId)),
  }
}

/** The per-target outcome of a solved ticket's clocks (the latest cycle of each target). */
export function solvedFigures(
  clocks: readonly SlaClock[],
  policyId: string,
  cal: BusinessCalendar,
  now: string,
): SolvedFigures {
  const minutes = (c: SlaClock | undefined) => (c ? Math.round(usedMs(c, cal, now) / 60_000) : undefined)
  const first = clocks.find((c) => c.target === 'first_response')
  const resolution = clocks.find((c) => c.target === 'resolution')
  return {
    policyId,
    ...(first?.state === 'met' ? { firstResponseMinutes: minutes(first) } : {}),
    ...(resolution ? { resolutionMinutes: minutes(resolution) } : {}),
    sla: clocks.map((c) => ({
      target: c.target,
      targetMinutes: c.targetMinutes,
      ...(c.state === 'met' ? { actualMinutes: minutes(c) } : {}),
      met: c.state === 'met' && !c.breachedAt,
    })),
  }
}

/** A clock the due index yielded. */
export interface DueClock {
  tenantId: string
  ticketId: string
  target: string
  cycle: number
}

/** Pattern 2: the clocks of one shard whose next check time is ≤ `now`, oldest first. */
export async function dueClocks(shard: number, now: string, limit = DUE_PAGE): Promise<DueClock[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi6',
      KeyConditionExpression: 'gsi6pk = :pk AND gsi6sk <= :now',
      ExpressionAttributeValues: { ':pk': `SLA#DUE#${shard}`, ':now': `${now}#~` },
      ProjectionExpression: 'tenantId, ticketId, target, #c',
      ExpressionAttributeNames: { '#c': 'cycle' },
      Limit: limit,
    }),
  )
  return (out.Items ?? []) as DueClock[]
}

export type FireOutcome = 'warned' | 'breached' | 'not-due' | 'gone' | 'raced'

/**
 * Pattern 3: raises what a due clock calls for now (warning or breach), reading the clock and its
 * ticket back consistently (the index may lag). `raced`: the clock or ticket changed meanwhile (a
 * reply, a pause, an overlapping run): nothing written, the next run looks again.
 */
/**
 * What one run of the check reads once per tenant and policy rather than once per clock (settings
 * change rarely, and a run lasts under a minute).
 */
export class RunCache {
  private readonly hours = new Map<string, ReturnType<typeof getBusinessHours>>()
  private readonly policies = new Map<string, ReturnType<typeof getPolicy>>()
  businessHours(tenantId: string) {
    const known = this.hours.get(tenantId)
    if (known) return known
    const read = getBusinessHours(tenantId)
    this.hours.set(tenantId, read)
    return read
  }
  policy(tenantId: string, id: string) {
    const key = `${tenantId}#${id}`
    const known = this.policies.get(key)
    if (known) return known
    const read = getPolicy(tenantId, id)
    this.policies.set(key, read)
    return read
  }
}

export async function fireClock(
  due: DueClock,
  now: string,
  correlationId: string,
  cache: RunCache = new RunCache(),
): Promise<FireOutcome> {
  const { tenantId, ticketId } = due
  const [ticketOut, clocks] = await Promise.all([
    documentClient().send(
      new GetCommand({ TableName: table(), Key: ticketKey(tenantId, ticketId), ConsistentRead: true }),
    ),
    ticketClocks(tenantId, ticketId),
  ])
  const clock = clocks.find((c) => c.target === due.target && c.cycle === Number(due.cycle))
  const ticket = ticketOut.Item as (Ticket & Item) | undefined
  if (clock && !ticket) {
    // Its ticket is gone: the clock leaves the index, so no later run reads it again.
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: { pk: clocksPk(tenantId, ticketId), sk: clockSk(clock) },
        UpdateExpression: 'REMOVE gsi6pk, gsi6sk',
      }),
    )
  }
  if (!clock || !ticket) return 'gone'
  const alarm = checkClock(clock, now)
  if (!alarm) return 'not-due'
  const [hours, stored] = await Promise.all([
    cache.businessHours(tenantId),
    cache.policy(tenantId, clock.policyId),
  ])
  const calendar = calendarOf(hours)
  const policy = stored
    ? asSlaPolicy(stored)
    : {
        id: clock.policyId,
        name: '',
        hours: 'business' as const,
        targets: {},
        warnBeforeMinutes: 0,
        escalations: [],
      }
  const ctx: ClockContext = { policy, businessHours: calendar, now }
  const all = clocks.map((c) => (c === clock ? alarm.clock : c))
  const selection = ticket.sla?.policyId
    ? { policyId: ticket.sla.policyId, agreementId: ticket.sla.agreementId }
    : undefined
  const sla = summary(all, selection, clockCalendar(ctx), now)
  const version = Number(ticket.version) + 1
  const next = {
    ...ticket,
    version,
    sla,
    breached: Boolean(ticket.breached) || alarm.kind === 'breach',
    updatedAt: now,
  }
  const ticketUpdate: TransactItem = {
    Update: {
      TableName: table(),
      Key: ticketKey(tenantId, ticketId),
      UpdateExpression: 'SET #sla = :sla, breached = :b, #v = :nv, updatedAt = :now',
      ConditionExpression: '#v = :tv',
      ExpressionAttributeNames: { '#sla': 'sla', '#v': 'version' },
      ExpressionAttributeValues: {
        ':sla': sla,
        ':b': next.breached,
        ':nv': version,
        ':tv': ticket.version,
        ':now': now,
      },
    },
  }
  try {
    await transactWithEvents(
      table(),
      [
        clockPut(tenantId, ticketId, alarm.clock),
        ticketUpdate,
        ...escalationItem(tenantId, ticket, alarm, ctx, correlationId),
      ],
      [alarmEvent(tenantId, next, alarm, ctx, correlationId)],
    )
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'raced'
    throw err
  }
  return alarm.kind === 'warning' ? 'warned' : 'breached'
}
