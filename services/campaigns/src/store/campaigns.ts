/**
 * Campaigns and their send job's checkpoint (table `main`).
 *
 * | item     | pk                | sk       | indexes                                 |
 * | campaign | T#t#CAMPAIGN#<id> | CAMPAIGN | gsi1: T#t#CAMPAIGNS / T#t#CAMPAIGN#<id> |
 *
 * The campaign item also holds the send job's checkpoint: `sendBatch` (the next batch to send) and
 * `sendCursor` (where that batch starts in the segment's enumeration). A batch's checkpoint moves on
 * with a condition on the batch it finished, so a batch done twice commits once.
 *
 * Access patterns:
 *  1. A campaign by id                 GetItem (consistent: its version feeds If-Match)
 *  2. Campaigns, newest first          Query gsi1 (pk T#t#CAMPAIGNS), descending; status as a filter
 *  3. Create / change a draft          PutItem, attribute_not_exists(pk) or version and status = draft
 *  4. Lifecycle (schedule, start, batch done, complete, cancel): UpdateItem conditioned on the status
 *     (and version or batch), with its event and its next work message in the same transaction
 */
import type {
  Campaign,
  CampaignStatus,
  CreateCampaign,
  SegmentRule,
  UpdateCampaign,
} from '@relay/contracts/campaigns'
import { CAMPAIGN_EVENT } from '@relay/contracts/campaigns-events'
import type { Page } from '@relay/contracts/common'
import { newId, nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { Conflict, NotFound, StaleVersion } from '@relay/core/outcomes'
import { type Work, work } from '@relay/core/work'
import { type SendMessage, sendQueueItem } from '../send-queue.js'
import {
  atVersion,
  campaignEvent,
  eventItem,
  getItem,
  type Item,
  type PageQuery,
  page,
  table,
} from './table.js'

/** A campaign with its send checkpoint (never shown by the API). */
export type StoredCampaign = Campaign & { sendBatch?: number; sendCursor?: string; sendRule?: SegmentRule }

const CHECKPOINT = ['sendBatch', 'sendCursor', 'sendRule'] as const

export const campaignKey = (tenantId: string, id: string) => ({
  pk: tenantKey(tenantId, 'CAMPAIGN', id),
  sk: 'CAMPAIGN',
})

/** The API's view: the checkpoint stripped. */
export function toCampaign(c: StoredCampaign): Campaign {
  const out = { ...c } as Record<string, unknown>
  for (const k of CHECKPOINT) delete out[k]
  return out as Campaign
}

/** Access pattern 1 (with the checkpoint). */
export const getCampaign = (tenantId: string, id: string) =>
  getItem<StoredCampaign>(campaignKey(tenantId, id))

export async function requireCampaign(tenantId: string, id: string): Promise<StoredCampaign> {
  const c = await getCampaign(tenantId, id)
  if (!c) throw new NotFound('No campaign with this id.')
  return c
}

/** Access pattern 2. */
export async function listCampaigns(
  tenantId: string,
  q: PageQuery & { status?: CampaignStatus | undefined },
): Promise<Page<Campaign>> {
  const result = await page<StoredCampaign>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: {
        ':pk': tenantKey(tenantId, 'CAMPAIGNS'),
        ...(q.status ? { ':status': q.status } : {}),
      },
      ...(q.status
        ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
        : {}),
      ScanIndexForward: false,
    },
    q,
  )
  return { ...result, items: result.items.map(toCampaign) }
}

function campaignItem(tenantId: string, c: StoredCampaign): Item {
  return {
    ...campaignKey(tenantId, c.id),
    gsi1pk: tenantKey(tenantId, 'CAMPAIGNS'),
    gsi1sk: tenantKey(tenantId, 'CAMPAIGN', c.id),
    kind: 'campaign',
    ...c,
  }
}

const variantsOf = (input: CreateCampaign['variants']) =>
  input.map((v) => ({
    id: newId(),
    name: v.name,
    templateId: v.templateId,
    ...(v.subject ? { subject: v.subject } : {}),
  }))

/** Access pattern 3: a new draft (its templates checked by the caller). */
export async function insertCampaign(
  tenantId: string,
  input: CreateCampaign,
  createdBy: string,
): Promise<Campaign> {
  const now = nowIso()
  const campaign: Campaign = {
    id: newId(),
    name: input.name,
    status: 'draft',
    segmentId: input.segmentId,
    variants: variantsOf(input.variants),
    ab: input.ab ?? { mode: 'none' },
    ...(input.fromName ? { fromName: input.fromName } : {}),
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    progress: { sent: 0, skipped: 0, failed: 0 },
    createdBy,
    version: 1,
    createdAt: now,
    updatedAt: now,
  }
  await transactWithEvents(
    table(),
    [{ Put: { TableName: table(), Item: campaignItem(tenantId, campaign), ...atVersion(0) } }],
    [],
  )
  return campaign
}

/** A draft can still change; anything later is what was (or is being) sent. */
function requireDraft(c: Campaign, action: string): void {
  if (c.status !== 'draft')
    throw new Conflict(`A ${c.status} campaign cannot be ${action}.`, { status: c.status })
}

/** Access pattern 3: a draft's fields changed (null clears fromName / replyTo). */
export async function updateDraft(
  tenantId: string,
  id: string,
  changes: UpdateCampaign,
  expectedVersion: number | undefined,
): Promise<Campaign> {
  const current = await requireCampaign(tenantId, id)
  requireDraft(current, 'changed')
  const version = expectedVersion ?? current.version
  const next: StoredCampaign = { ...current, version: version + 1, updatedAt: nowIso() }
  if (changes.name !== undefined) next.name = changes.name
  if (changes.segmentId !== undefined) next.segmentId = changes.segmentId
  if (changes.variants !== undefined) next.variants = variantsOf(changes.variants)
  if (changes.ab !== undefined) next.ab = changes.ab
  for (const k of ['fromName', 'replyTo'] as const) {
    const v = changes[k]
    if (v === null) delete next[k]
    else if (v !== undefined) next[k] = v
  }
  await transactWithEvents(
    table(),
    [
      {
        Put: {
          TableName: table(),
          Item: campaignItem(tenantId, next),
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected AND #status = :draft',
          ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
          ExpressionAttributeValues: { ':expected': version, ':draft': 'draft' },
        },
      },
    ],
    [],
  )
  return toCampaign(next)
}

/** What every lifecycle event carries (campaigns-events.ts `campaignFields`). */
export function lifecycleData(c: Campaign, version: number) {
  return {
    campaignId: c.id,
    name: c.name,
    segmentId: c.segmentId,
    variantIds: c.variants.map((v) => v.id),
    abMode: c.ab.mode,
    ...(c.ab.goal ? { goal: c.ab.goal } : {}),
    version,
  }
}

const secondsUntil = (iso: string) => Math.max(0, (Date.parse(iso) - Date.now()) / 1000)

/** A lifecycle move: the campaign's status from one of `from` to `to` at its current version. */
function move(
  tenantId: string,
  c: Campaign,
  from: readonly CampaignStatus[],
  set: Record<string, unknown>,
  remove: readonly string[] = [],
): TransactItem {
  const names: Record<string, string> = { '#status': 'status', '#version': 'version' }
  const values: Record<string, unknown> = { ':v': c.version, ':next': c.version + 1 }
  const sets = ['#version = :next']
  Object.entries(set).forEach(([k, v], i) => {
    names[`#s${i}`] = k
    values[`:s${i}`] = v
    sets.push(`#s${i} = :s${i}`)
  })
  from.forEach((s, i) => {
    values[`:from${i}`] = s
  })
  const removes = remove.map((k, i) => {
    names[`#r${i}`] = k
    return `#r${i}`
  })
  return {
    Update: {
      TableName: table(),
      Key: campaignKey(tenantId, c.id),
      UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: `#version = :v AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  }
}

/**
 * Access pattern 4: a draft scheduled for `at` (now when absent): Campaign.Scheduled and the start
 * message (delayed up to SQS's 15 minutes; a later time is reached in hops) in one transaction.
 */
export async function scheduleCampaign(
  tenantId: string,
  id: string,
  at: string | undefined,
  expectedVersion: number | undefined,
  correlationId: string,
): Promise<Campaign> {
  const current = await requireCampaign(tenantId, id)
  requireDraft(current, 'scheduled')
  if (expectedVersion !== undefined && expectedVersion !== current.version) throw new StaleVersion()
  const now = nowIso()
  const scheduledAt = at && at > now ? new Date(at).toISOString() : now
  const next: Campaign = {
    ...toCampaign(current),
    status: 'scheduled',
    scheduledAt,
    version: current.version + 1,
    updatedAt: now,
  }
  const message: SendMessage = { step: 'start', tenantId, campaignId: id, correlationId }
  await transactWithEvents(
    table(),
    [
      move(tenantId, current, ['draft'], { status: 'scheduled', scheduledAt, updatedAt: now }),
      sendQueueItem(message, secondsUntil(scheduledAt)),
    ],
    [
      campaignEvent(tenantId, correlationId, CAMPAIGN_EVENT.scheduled, {
        ...lifecycleData(next, next.version),
        scheduledAt,
      }),
    ],
  )
  return next
}

/** Access pattern 4: a scheduled or sending campaign cancelled; what was sent stays sent. */
export async function cancelCampaign(
  tenantId: string,
  id: string,
  reason: string | undefined,
  expectedVersion: number | undefined,
  correlationId: string,
): Promise<Campaign> {
  const current = await requireCampaign(tenantId, id)
  if (current.status !== 'scheduled' && current.status !== 'sending')
    throw new Conflict(`A ${current.status} campaign cannot be cancelled.`, { status: current.status })
  if (expectedVersion !== undefined && expectedVersion !== current.version) throw new StaleVersion()
  const now = nowIso()
  const next: Campaign = {
    ...toCampaign(current),
    status: 'cancelled',
    cancelledAt: now,
    version: current.version + 1,
    updatedAt: now,
  }
  await transactWithEvents(
    table(),
    [
      move(tenantId, current, ['scheduled', 'sending'], {
        status: 'cancelled',
        cancelledAt: now,
        updatedAt: now,
      }),
    ],
    [
      campaignEvent(tenantId, correlationId, CAMPAIGN_EVENT.cancelled, {
        ...lifecycleData(next, next.version),
        cancelledAt: now,
        sentBeforeCancel: current.progress?.sent ?? 0,
        ...(reason ? { reason } : {}),
      }),
    ],
  )
  return next
}

/** The start message came early (a send time beyond SQS's longest delay): the next hop. */
export function startLaterWork(c: Campaign, tenantId: string, correlationId: string): Work {
  return work(
    sendQueueItem(
      { step: 'start', tenantId, campaignId: c.id, correlationId },
      secondsUntil(c.scheduledAt ?? nowIso()),
    ),
  )
}

/**
 * Access pattern 4: scheduled → sending, Campaign.Started, and batch 0 (from the segment's start).
 * The segment's rule is kept with the checkpoint: every batch evaluates the rule the send started
 * with, whatever happens to the segment meanwhile (membership itself is read at send time).
 */
export function startWork(
  c: Campaign,
  tenantId: string,
  correlationId: string,
  rule: SegmentRule,
  recipients?: number,
): Work {
  const now = nowIso()
  return work(
    move(
      tenantId,
      c,
      ['scheduled'],
      { status: 'sending', startedAt: now, updatedAt: now, sendBatch: 0, sendRule: rule },
      ['sendCursor'],
    ),
    sendQueueItem({ step: 'batch', tenantId, campaignId: c.id, correlationId, batch: 0, attempt: 0 }),
    eventItem(
      campaignEvent(tenantId, correlationId, CAMPAIGN_EVENT.started, {
        ...lifecycleData(c, c.version + 1),
        startedAt: now,
        ...(recipients !== undefined ? { recipients } : {}),
      }),
    ),
  )
}

export interface BatchCounts {
  sent: number
  skipped: number
  failed: number
}

/** The progress counters plus what one (part of a) batch did. */
function addCounts(counts: BatchCounts): { expr: string; values: Record<string, number> } {
  return {
    expr: '#p.sent = #p.sent + :ds, #p.skipped = #p.skipped + :dk, #p.failed = #p.failed + :df',
    values: { ':ds': counts.sent, ':dk': counts.skipped, ':df': counts.failed },
  }
}

/**
 * Part of batch `batch` done (time budget spent, or SES throttling): its counts added and the same
 * batch asked for again after `delaySeconds`, while the campaign is still sending at that batch.
 */
export function batchAgainWork(
  c: StoredCampaign,
  tenantId: string,
  message: Extract<SendMessage, { step: 'batch' }>,
  counts: BatchCounts,
  delaySeconds: number,
): Work {
  const add = addCounts(counts)
  return work(
    {
      Update: {
        TableName: table(),
        Key: campaignKey(tenantId, c.id),
        UpdateExpression: `SET ${add.expr}`,
        ConditionExpression: '#status = :sending AND sendBatch = :batch',
        ExpressionAttributeNames: { '#status': 'status', '#p': 'progress' },
        ExpressionAttributeValues: { ...add.values, ':sending': 'sending', ':batch': message.batch },
      },
    },
    sendQueueItem({ ...message, attempt: message.attempt + 1 }, delaySeconds),
  )
}

/**
 * Batch `batch` done: the checkpoint moves to the next batch at `nextCursor` with the next batch's
 * message, or, after the last page, the campaign is sent (Campaign.Completed with the totals).
 * Conditioned on the campaign still sending at this batch: a batch done twice commits once, and a
 * campaign cancelled meanwhile stays cancelled.
 */
export function batchDoneWork(
  c: StoredCampaign,
  tenantId: string,
  message: Extract<SendMessage, { step: 'batch' }>,
  counts: BatchCounts,
  nextCursor: string | undefined,
): Work {
  const add = addCounts(counts)
  const names = { '#status': 'status', '#version': 'version', '#p': 'progress' }
  const condition = '#status = :sending AND sendBatch = :batch'
  const base = { ...add.values, ':sending': 'sending', ':batch': message.batch, ':one': 1 }
  if (nextCursor !== undefined) {
    return work(
      {
        Update: {
          TableName: table(),
          Key: campaignKey(tenantId, c.id),
          UpdateExpression: `SET ${add.expr}, sendBatch = :next, sendCursor = :cursor`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status', '#p': 'progress' },
          ExpressionAttributeValues: {
            ...add.values,
            ':sending': 'sending',
            ':batch': message.batch,
            ':next': message.batch + 1,
            ':cursor': nextCursor,
          },
        },
      },
      sendQueueItem({ ...message, batch: message.batch + 1, attempt: 0 }),
    )
  }
  const now = nowIso()
  const total = {
    sent: (c.progress?.sent ?? 0) + counts.sent,
    skipped: (c.progress?.skipped ?? 0) + counts.skipped,
    failed: (c.progress?.failed ?? 0) + counts.failed,
  }
  return work(
    {
      Update: {
        TableName: table(),
        Key: campaignKey(tenantId, c.id),
        UpdateExpression: `SET ${add.expr}, #status = :sent, completedAt = :now, updatedAt = :now, #version = #version + :one REMOVE sendCursor`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...base, ':sent': 'sent', ':now': now },
      },
    },
    eventItem(
      campaignEvent(tenantId, message.correlationId, CAMPAIGN_EVENT.completed, {
        ...lifecycleData(c, c.version + 1),
        completedAt: now,
        ...total,
      }),
    ),
  )
}

/** The send could not start (its segment was deleted after scheduling): cancelled, with the reason. */
export function cancelAtStartWork(
  c: Campaign,
  tenantId: string,
  correlationId: string,
  reason: string,
): Work {
  const now = nowIso()
  return work(
    move(tenantId, c, ['scheduled'], { status: 'cancelled', cancelledAt: now, updatedAt: now }),
    eventItem(
      campaignEvent(tenantId, correlationId, CAMPAIGN_EVENT.cancelled, {
        ...lifecycleData(c, c.version + 1),
        cancelledAt: now,
        sentBeforeCancel: 0,
        reason,
      }),
    ),
  )
}
