/**
 * A campaign's A/B decision state, and the variant choice the sender asks for per batch.
 *
 * | item     | pk                | sk | what                                                    |
 * | -------- | ----------------- | -- | ------------------------------------------------------- |
 * | ab state | T#t#CAMPAIGN#<id> | AB | `recipients`, `testCompletedAt`, `decidedAt`, `reason`, `figures` |
 *
 * The winner itself is the campaign's `ab.winnerVariantId` (the campaign item, sk CAMPAIGN), set
 * once with Variant.Promoted and the state in one transaction, on condition that no winner is
 * set: a decision taken twice (two batches, a retry) promotes once.
 *
 * Access patterns:
 *  1. The state                       GetItem (consistent)
 *  2. The test slice went out         UpdateItem SET testCompletedAt = if_not_exists(...)
 *     The audience size (once)        UpdateItem SET recipients = if_not_exists(...)
 *  3. Promote a variant               TransactWriteItems: campaign Update (attribute_not_exists
 *                                     winner), state Put, the Variant.Promoted outbox item
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { SegmentRule } from '@relay/contracts/campaigns'
import { VARIANT_EVENT } from '@relay/contracts/campaigns-events'
import { documentClient } from '@relay/core/ddb'
import { isConditionalCheckFailed } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import {
  type AbCampaign,
  type AbState,
  banditWinner,
  chooseVariants,
  decideWinner,
  handled,
  holdUntil,
  modeOf,
  testSliceComplete,
  type WinnerDecision,
} from '../domain/ab-test.js'
import { seededRng } from '../domain/bandit.js'
import { MAX_QUEUE_DELAY_SECONDS } from '../domain/journey.js'
import { statsOf } from '../domain/report.js'
import { previewSegment } from './members.js'
import { variantCounters } from './metrics.js'
import { campaignEvent, table } from './table.js'

/** The campaign as the A/B rules read it (the stored campaign has these fields). */
export type PlannedCampaign = AbCampaign & { id: string }

const stateKey = (tenantId: string, campaignId: string) => ({
  pk: tenantKey(tenantId, 'CAMPAIGN', campaignId),
  sk: 'AB',
})
const campaignKey = (tenantId: string, campaignId: string) => ({
  pk: tenantKey(tenantId, 'CAMPAIGN', campaignId),
  sk: 'CAMPAIGN',
})

/** Access pattern 1. */
export async function getAbState(
  tenantId: string,
  campaignId: string,
): Promise<AbState & { recipients?: number }> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: stateKey(tenantId, campaignId), ConsistentRead: true }),
  )
  const i = out.Item ?? {}
  return {
    ...(typeof i.testCompletedAt === 'string' ? { testCompletedAt: i.testCompletedAt } : {}),
    ...(typeof i.decidedAt === 'string' ? { decidedAt: i.decidedAt } : {}),
    ...(typeof i.reason === 'string' ? { reason: i.reason } : {}),
    ...(typeof i.recipients === 'number' ? { recipients: i.recipients } : {}),
  }
}

/** Access pattern 2: the test slice's end, kept once (the first writer's time wins). */
async function markTestCompleted(tenantId: string, campaignId: string, at: string): Promise<string> {
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: stateKey(tenantId, campaignId),
      UpdateExpression: 'SET testCompletedAt = if_not_exists(testCompletedAt, :at), kind = :kind',
      ExpressionAttributeValues: { ':at': at, ':kind': 'ab-state' },
      ReturnValues: 'ALL_NEW',
    }),
  )
  return String(out.Attributes?.testCompletedAt ?? at)
}

/**
 * Access pattern 3: `decision` promoted with Variant.Promoted. Returns the campaign's winner after
 * it (another writer's, when it came first).
 */
export async function promoteVariant(
  tenantId: string,
  campaignId: string,
  decision: WinnerDecision,
  correlationId: string,
  decidedAt = nowIso(),
): Promise<string> {
  try {
    await transactWithEvents(
      table(),
      [
        {
          Update: {
            TableName: table(),
            Key: campaignKey(tenantId, campaignId),
            UpdateExpression: 'SET #ab.winnerVariantId = :winner',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#ab.winnerVariantId)',
            ExpressionAttributeNames: { '#ab': 'ab' },
            ExpressionAttributeValues: { ':winner': decision.variantId },
          },
        },
        {
          Update: {
            TableName: table(),
            Key: stateKey(tenantId, campaignId),
            UpdateExpression: 'SET decidedAt = :at, reason = :reason, figures = :figures, kind = :kind',
            ExpressionAttributeValues: {
              ':at': decidedAt,
              ':reason': decision.reason,
              ':figures': decision.figures,
              ':kind': 'ab-state',
            },
          },
        },
      ],
      [
        campaignEvent(tenantId, correlationId, VARIANT_EVENT.promoted, {
          campaignId,
          variantId: decision.variantId,
          goal: decision.goal,
          method: decision.method,
          figures: decision.figures,
          decidedAt,
        }),
      ],
    )
    return decision.variantId
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    const out = await documentClient().send(
      new GetCommand({ TableName: table(), Key: campaignKey(tenantId, campaignId), ConsistentRead: true }),
    )
    const winner = (out.Item?.ab as { winnerVariantId?: string } | undefined)?.winnerVariantId
    if (!winner) throw err
    return winner
  }
}

export interface VariantPlan {
  /** The variant of each of the first `variantIds.length` recipients, in order. */
  variantIds: string[]
  /**
   * Set when fewer than asked: send those, then run the batch again after this many seconds
   * (SQS's longest delay at most: a longer wait is reached in hops); its claimed recipients are
   * skipped, and the rest get the winner once there is one.
   */
  retryAfterSeconds?: number
  /** The winner, when this plan promoted one or one was already there. */
  winnerVariantId?: string
}

/** The campaign as the sender stores it: the A/B fields, its segment's rule and progress. */
export type SenderCampaign = PlannedCampaign & { segmentId: string; sendRule?: unknown }

/**
 * The audience size a test slice is a share of: counted once per campaign (the segment as the
 * send began: consent and suppressions applied, as the walk does) and kept in the state.
 */
async function recipientsOf(
  tenantId: string,
  campaign: SenderCampaign,
  state: AbState & { recipients?: number },
) {
  if (state.recipients !== undefined) return state.recipients
  if (campaign.sendRule === undefined) return undefined
  const preview = await previewSegment(tenantId, campaign.segmentId, campaign.sendRule as SegmentRule, {
    sample: 0,
  })
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: stateKey(tenantId, campaign.id),
      UpdateExpression: 'SET recipients = if_not_exists(recipients, :n), kind = :kind',
      ExpressionAttributeValues: { ':n': preview.count, ':kind': 'ab-state' },
      ReturnValues: 'ALL_NEW',
    }),
  )
  return Number(out.Attributes?.recipients ?? preview.count)
}

/**
 * The variants of the next `n` recipients of a sending campaign: the test slice's end recorded
 * and the winner promoted (Variant.Promoted) when their time came. `alreadyChosen` = recipients
 * this run of the batch already got a variant for (its progress counts only committed batches).
 * The bandit's draws are seeded by campaign and position, so a batch run again draws the same.
 *
 * @example
 * const plan = await planVariants(tenantId, campaign, 14, correlationId)
 * // send recipient i with plan.variantIds[i]; if plan.retryAfterSeconds, ask for this batch again then
 */
export async function planVariants(
  tenantId: string,
  campaign: SenderCampaign,
  n: number,
  correlationId: string,
  opts: { alreadyChosen?: number; now?: string } = {},
): Promise<VariantPlan> {
  const now = opts.now ?? nowIso()
  const p = campaign.progress ?? { sent: 0, skipped: 0, failed: 0 }
  // Position in the audience: recipients given a variant so far (skipped ones never were).
  const view: PlannedCampaign = {
    ...campaign,
    progress: { sent: p.sent + p.failed + (opts.alreadyChosen ?? 0), skipped: 0, failed: 0 },
  }
  const rng = seededRng(`${campaign.id}#${handled(view)}`)
  const mode = modeOf(view)
  const winner = view.ab?.winnerVariantId
  if (mode === 'none' || winner !== undefined) {
    return { variantIds: chooseVariants(view, {}, n, rng), ...(winner ? { winnerVariantId: winner } : {}) }
  }
  const ids = view.variants.map((v) => v.id)
  const [counters, stored] = await Promise.all([
    variantCounters(tenantId, campaign.id, ids),
    getAbState(tenantId, campaign.id),
  ])
  const stats = statsOf(counters)
  let state = stored
  if (mode === 'test-then-winner') {
    const recipients = await recipientsOf(tenantId, campaign, state)
    if (recipients !== undefined) view.recipients = recipients
    if (state.testCompletedAt === undefined && testSliceComplete(view))
      state = { ...state, testCompletedAt: await markTestCompleted(tenantId, campaign.id, now) }
  }
  const decision =
    mode === 'test-then-winner' ? decideWinner(view, state, stats, now) : banditWinner(view, stats, rng)
  let current = view
  if (decision) {
    const promoted = await promoteVariant(tenantId, campaign.id, decision, correlationId, now)
    current = { ...view, ab: { ...(view.ab ?? { mode }), winnerVariantId: promoted } }
  }
  const variantIds = chooseVariants(current, stats, n, rng)
  // The last of the test slice handed out now: the wait starts.
  const through = {
    ...current,
    progress: { sent: handled(current) + variantIds.length, skipped: 0, failed: 0 },
  }
  if (mode === 'test-then-winner' && state.testCompletedAt === undefined && testSliceComplete(through))
    state = { ...state, testCompletedAt: await markTestCompleted(tenantId, campaign.id, now) }
  const plan: VariantPlan = {
    variantIds,
    ...(current.ab?.winnerVariantId ? { winnerVariantId: current.ab.winnerVariantId } : {}),
  }
  if (variantIds.length >= n) return plan
  const until = holdUntil(current, state)
  const seconds = until ? Math.ceil((Date.parse(until) - Date.parse(now)) / 1000) : MAX_QUEUE_DELAY_SECONDS
  return { ...plan, retryAfterSeconds: Math.max(1, Math.min(MAX_QUEUE_DELAY_SECONDS, seconds)) }
}

/**
 * The sender's variant chooser for one run of a batch (send-batch.ts `VariantChooser`): it
 * remembers how many recipients it gave a variant in this run, so the test slice ends where it
 * should even before the batch's progress is committed.
 *
 * @example
 * runBatch(campaign, tenantId, { logger, correlationId, chooseVariants: variantChooser(correlationId) })
 */
export function variantChooser(correlationId: string) {
  let chosen = 0
  return async (campaign: SenderCampaign, tenantId: string, n: number): Promise<VariantPlan> => {
    const plan = await planVariants(tenantId, campaign, n, correlationId, { alreadyChosen: chosen })
    chosen += plan.variantIds.length
    return plan
  }
}
