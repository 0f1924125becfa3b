/**
 * Journeys, their trigger index, contacts' enrolments and the due-time index of long waits
 * (table `main`).
 *
 * | item      | pk                                 | sk             | indexes                                         |
 * | --------- | ---------------------------------- | -------------- | ----------------------------------------------- |
 * | journey   | T#t#JOURNEY#<id>                   | JOURNEY        | gsi1: T#t#JOURNEYS / T#t#JOURNEY#<id>           |
 * | trigger   | T#t#JTRIGGER#<source>#<detailType> | J#<id>         | gsi1 (Contact.Inactive only): JINACTIVE / T#t#JOURNEY#<id> |
 * | enrolment | T#t#JENROL#<contactId>             | J#<journeyId>  | gsi1: T#t#JOURNEY#<id>#RUNS / <enrolledAt>#<contactId> |
 * | wake      | T#t#JWAKE#<journeyId>#<contactId>  | <run>#<step>   | gsi1: JDUE#<shard> / <dueAt>#T#t#<journeyId>#<contactId> |
 *
 * Two index partitions hold every tenant's items, on purpose: the schedules that read them run
 * for all tenants at once. `JINACTIVE` holds only re-engagement journeys (a few per tenant);
 * `JDUE#<shard>` (8 shards by contact) holds the waits longer than SQS can delay, sorted by due
 * time, so the poller reads exactly what is due (sk ≤ now), never scans.
 *
 * Access patterns:
 *  1. A journey by id; the tenant's journeys newest first      GetItem; Query gsi1
 *  2. Create / change a journey                                TransactWriteItems: journey + trigger item
 *  3. The tenant's journeys started by an event                Query pk T#t#JTRIGGER#<source>#<type>
 *  4. A contact's enrolment in a journey / all its enrolments  GetItem / Query pk T#t#JENROL#<contact>
 *  5. Enrol / advance / end a run                              Put or Update on a condition of the run and
 *                                                              step read, with the next step's message
 *  6. Waits due (schedule, all tenants)                        Query gsi1 JDUE#<shard>, sk ≤ now
 *  7. Re-engagement journeys (schedule, all tenants)           Query gsi1 JINACTIVE
 *  8. A journey's runs, newest first                           Query gsi1 T#t#JOURNEY#<id>#RUNS
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { CreateJourney, Journey, JourneyEnrolment, UpdateJourney } from '@relay/contracts/campaigns'
import type { Page } from '@relay/contracts/common'
import { documentClient } from '@relay/core/ddb'
import { isConditionalCheckFailed } from '@relay/core/errors'
import { newId, nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { type Work, work } from '@relay/core/work'
import { type EntryDecision, INACTIVE_TRIGGER, journeyProblems, sameEvent } from '../domain/journey.js'
import { type JourneyMessage, journeyQueueItem, type StepMessage } from '../journey-queue.js'
import { fromItem, getItem, type Item, type PageQuery, page, table } from './table.js'

export const WAKE_SHARDS = 8
const INACTIVE_INDEX = 'JINACTIVE'

export type StoredEnrolment = JourneyEnrolment

const journeyKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'JOURNEY', id),
  sk: 'JOURNEY',
})
const triggerKey = (tenantId: string, trigger: { source: string; detailType: string }, id: string) => ({
  pk: tenantKey(tenantId, 'JTRIGGER', trigger.source, trigger.detailType),
  sk: `J#${id}`,
})
const enrolmentKey = (tenantId: string, contactId: string, journeyId: string) => ({
  pk: tenantKey(tenantId, 'JENROL', contactId),
  sk: `J#${journeyId}`,
})

function shardOf(contactId: string): number {
  let h = 0
  for (let i = 0; i < contactId.length; i++) h = (h * 31 + contactId.charCodeAt(i)) >>> 0
  return h % WAKE_SHARDS
}

/** Access pattern 1. */
export const getJourney = (tenantId: string, id: string) => getItem<Journey>(journeyKey(tenantId, id))

export async function requireJourney(tenantId: string, id: string): Promise<Journey> {
  const j = await getJourney(tenantId, id)
  if (!j) throw new NotFound('No journey with this id.')
  return j
}

/** Access pattern 1: newest first. */
export function listJourneys(tenantId: string, q: PageQuery): Promise<Page<Journey>> {
  return page<Journey>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'JOURNEYS') },
      ScanIndexForward: false,
    },
    q,
  )
}

function journeyItem(tenantId: string, j: Journey): Item {
  return {
    ...journeyKey(tenantId, j.id),
    gsi1pk: tenantKey(tenantId, 'JOURNEYS'),
    gsi1sk: tenantKey(tenantId, 'JOURNEY', j.id),
    kind: 'journey',
    ...j,
  }
}

function triggerItem(tenantId: string, j: Journey): Item {
  return {
    ...triggerKey(tenantId, j.trigger, j.id),
    kind: 'journey-trigger',
    journeyId: j.id,
    status: j.status,
    ...(sameEvent(j.trigger, INACTIVE_TRIGGER)
      ? { gsi1pk: INACTIVE_INDEX, gsi1sk: tenantKey(tenantId, 'JOURNEY', j.id), tenantId }
      : {}),
  }
}

/** Access pattern 2: a new journey (its rules checked: Invalid names each problem). */
export async function insertJourney(tenantId: string, input: CreateJourney): Promise<Journey> {
  const problems = journeyProblems(input)
  if (problems.length)
    throw new Invalid(problems.map(([field, message]) => ({ field, code: 'invalid_journey', message })))
  const now = nowIso()
  const journey: Journey = {
    id: newId(),
    name: input.name,
    trigger: input.trigger,
    steps: input.steps,
    ...(input.exitOn ? { exitOn: input.exitOn } : {}),
    allowReentry: input.allowReentry ?? false,
    status: input.status ?? 'active',
    version: 1,
    createdAt: now,
    updatedAt: now,
  }
  await transactWithEvents(
    table(),
    [
      {
        Put: {
          TableName: table(),
          Item: journeyItem(tenantId, journey),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: table(), Item: triggerItem(tenantId, journey) } },
    ],
    [],
  )
  return journey
}

/** Access pattern 2: name, status or re-entry changed (steps never change under running contacts). */
export async function updateJourney(
  tenantId: string,
  id: string,
  changes: UpdateJourney,
  expectedVersion: number | undefined,
): Promise<Journey> {
  const current = await requireJourney(tenantId, id)
  const version = expectedVersion ?? current.version
  if (version !== current.version) throw new StaleVersion()
  const next: Journey = { ...current, ...changes, version: version + 1, updatedAt: nowIso() }
  await transactWithEvents(
    table(),
    [
      {
        Put: {
          TableName: table(),
          Item: journeyItem(tenantId, next),
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': version },
        },
      },
      { Put: { TableName: table(), Item: triggerItem(tenantId, next) } },
    ],
    [],
  )
  return next
}

/** Access pattern 3: the ids of the tenant's active journeys an event starts. */
export async function journeysStartedBy(
  tenantId: string,
  event: { source: string; detailType: string },
): Promise<string[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': triggerKey(tenantId, event, '').pk },
    }),
  )
  return (out.Items ?? []).filter((i) => i.status === 'active').map((i) => String(i.journeyId))
}

/** Access pattern 4. */
export async function getEnrolment(
  tenantId: string,
  contactId: string,
  journeyId: string,
): Promise<StoredEnrolment | undefined> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: enrolmentKey(tenantId, contactId, journeyId),
      ConsistentRead: true,
    }),
  )
  return out.Item ? fromItem<StoredEnrolment>(out.Item) : undefined
}

/** Access pattern 4: a contact's runs (active ones first to matter: exits). */
export async function enrolmentsOf(tenantId: string, contactId: string): Promise<StoredEnrolment[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'JENROL', contactId) },
    }),
  )
  return (out.Items ?? []).map((i) => fromItem<StoredEnrolment>(i))
}

/** Access pattern 8. */
export function listEnrolments(
  tenantId: string,
  journeyId: string,
  q: PageQuery,
): Promise<Page<StoredEnrolment>> {
  return page<StoredEnrolment>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'JOURNEY', journeyId, 'RUNS') },
      ScanIndexForward: false,
    },
    q,
  )
}

const stepMessage = (
  tenantId: string,
  journeyId: string,
  contactId: string,
  run: number,
  step: number,
  correlationId: string,
): StepMessage => ({ kind: 'step', tenantId, journeyId, contactId, run, step, correlationId })

/**
 * Access pattern 5: the contact enters the journey (run `decision.run`) with its first step's
 * message. The condition is the entry rule itself: no record yet, or (re-entry) the previous run
 * ended, so two triggers arriving together enrol once.
 */
export function enrolWork(
  tenantId: string,
  journeyId: string,
  contactId: string,
  decision: Extract<EntryDecision, { enrol: true }>,
  correlationId: string,
  now = nowIso(),
): Work {
  return work(...enrolItems(tenantId, journeyId, contactId, decision, correlationId, now))
}

/**
 * Access pattern 5 on its own transaction (the re-engagement scan enrols many, each alone): false
 * when the contact entered meanwhile.
 */
export async function enrolNow(
  tenantId: string,
  journeyId: string,
  contactId: string,
  decision: Extract<EntryDecision, { enrol: true }>,
  correlationId: string,
): Promise<boolean> {
  try {
    await transactWithEvents(
      table(),
      enrolItems(tenantId, journeyId, contactId, decision, correlationId, nowIso()),
      [],
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

function enrolItems(
  tenantId: string,
  journeyId: string,
  contactId: string,
  decision: Extract<EntryDecision, { enrol: true }>,
  correlationId: string,
  now: string,
): TransactItem[] {
  const enrolment: StoredEnrolment = {
    journeyId,
    contactId,
    status: 'active',
    run: decision.run,
    step: 0,
    enrolledAt: now,
    sent: [],
  }
  const condition =
    decision.run === 1
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : {
          ConditionExpression: '#status <> :active AND run = :previous',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':active': 'active', ':previous': decision.run - 1 },
        }
  return [
    {
      Put: {
        TableName: table(),
        Item: {
          ...enrolmentKey(tenantId, contactId, journeyId),
          gsi1pk: tenantKey(tenantId, 'JOURNEY', journeyId, 'RUNS'),
          gsi1sk: `${now}#${contactId}`,
          kind: 'journey-enrolment',
          ...enrolment,
        },
        ...condition,
      },
    },
    journeyQueueItem(stepMessage(tenantId, journeyId, contactId, decision.run, 0, correlationId)),
  ]
}

/** The next message of a fan-out (the re-engagement scan's next page). */
export const messageWork = (message: JourneyMessage): Work => work(journeyQueueItem(message))

/** The Update of a run at `run`/`step` (its condition: still there). */
function runUpdate(
  tenantId: string,
  at: { journeyId: string; contactId: string; run: number; step: number },
  set: Record<string, unknown>,
  appendSent?: string,
): TransactItem {
  const names: Record<string, string> = { '#status': 'status' }
  const values: Record<string, unknown> = { ':active': 'active', ':run': at.run, ':step': at.step }
  const sets = Object.entries(set).map(([k, v], i) => {
    names[`#s${i}`] = k
    values[`:s${i}`] = v
    return `#s${i} = :s${i}`
  })
  if (appendSent) {
    values[':sent'] = [appendSent]
    sets.push('sent = list_append(sent, :sent)')
  }
  return {
    Update: {
      TableName: table(),
      Key: enrolmentKey(tenantId, at.contactId, at.journeyId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: '#status = :active AND run = :run AND step = :step',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  }
}

/** Access pattern 5: the run moves on to `next` now (after a send: `sentTemplateId` noted). */
export function advanceWork(m: StepMessage, next: number, sentTemplateId?: string): Work {
  return work(
    runUpdate(m.tenantId, m, { step: next }, sentTemplateId),
    journeyQueueItem(stepMessage(m.tenantId, m.journeyId, m.contactId, m.run, next, m.correlationId)),
  )
}

/** The same step asked for again after `delaySeconds` (the run's record unchanged). */
export function holdStepWork(m: StepMessage, delaySeconds: number): Work {
  return work(journeyQueueItem({ ...m }, delaySeconds))
}

/** Access pattern 5: a wait up to 15 minutes: the next step's message, delayed. */
export function waitByQueueWork(m: StepMessage, next: number, delaySeconds: number): Work {
  return work(
    runUpdate(m.tenantId, m, { step: next }),
    journeyQueueItem(
      stepMessage(m.tenantId, m.journeyId, m.contactId, m.run, next, m.correlationId),
      delaySeconds,
    ),
  )
}

/** Access patterns 5 and 6: a longer wait: the run moves on and a wake item joins the due index. */
export function waitByIndexWork(m: StepMessage, next: number, dueAt: string): Work {
  const message = stepMessage(m.tenantId, m.journeyId, m.contactId, m.run, next, m.correlationId)
  return work(runUpdate(m.tenantId, m, { step: next }), {
    Put: {
      TableName: table(),
      Item: {
        pk: tenantKey(m.tenantId, 'JWAKE', m.journeyId, m.contactId),
        sk: `${m.run}#${next}`,
        gsi1pk: `JDUE#${shardOf(m.contactId)}`,
        gsi1sk: `${dueAt}#${tenantKey(m.tenantId, m.journeyId, m.contactId)}`,
        kind: 'journey-wake',
        tenantId: m.tenantId,
        dueAt,
        message,
      },
    },
  })
}

/** Access pattern 5: the run ends (completed, or exited with its reason). */
export function endWork(
  tenantId: string,
  at: { journeyId: string; contactId: string; run: number; step: number },
  status: 'completed' | 'exited',
  reason?: string,
  now = nowIso(),
): Work {
  return work(runUpdate(tenantId, at, { status, endedAt: now, ...(reason ? { exitReason: reason } : {}) }))
}

export interface DueWake {
  key: { pk: string; sk: string }
  dueAt: string
  message: JourneyMessage
}

/** Access pattern 6: up to `limit` waits of a shard due by `now`, the earliest first. */
export async function dueWakes(shard: number, now: string, limit: number): Promise<DueWake[]> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':pk': `JDUE#${shard}`, ':now': `${now}#\uffff` },
      Limit: limit,
    }),
  )
  return (out.Items ?? []).map((i) => ({
    key: { pk: String(i.pk), sk: String(i.sk) },
    dueAt: String(i.dueAt),
    message: i.message as JourneyMessage,
  }))
}

/**
 * Access pattern 6: a due wake handed to the queue (with what is left of it as the delay) and
 * removed, in one transaction; false when another run of the poller took it first.
 */
export async function releaseWake(wake: DueWake, now: string): Promise<boolean> {
  const delay = Math.max(0, (Date.parse(wake.dueAt) - Date.parse(now)) / 1000)
  try {
    await transactWithEvents(
      table(),
      [
        { Delete: { TableName: table(), Key: wake.key, ConditionExpression: 'attribute_exists(pk)' } },
        journeyQueueItem(wake.message, delay),
      ],
      [],
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** Access pattern 7: every tenant's re-engagement journeys that are active. */
export async function reengagementJourneys(): Promise<{ tenantId: string; journeyId: string }[]> {
  const found: { tenantId: string; journeyId: string }[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': INACTIVE_INDEX },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    )
    for (const i of out.Items ?? [])
      if (i.status === 'active') found.push({ tenantId: String(i.tenantId), journeyId: String(i.journeyId) })
    startKey = out.LastEvaluatedKey
  } while (startKey)
  return found
}

/** A message for the journey queue, in its own transaction (a schedule's fan-out). */
export async function enqueue(message: JourneyMessage): Promise<void> {
  await transactWithEvents(table(), [journeyQueueItem(message)], [])
}
