import { NotFound } from '@relay/core/outcomes'
import { worker } from '../kit.js'
import { runBatch } from '../send-batch.js'
import { SEND_QUEUE, SendMessage } from '../send-queue.js'
import {
  batchAgainWork,
  batchDoneWork,
  cancelAtStartWork,
  getCampaign,
  startLaterWork,
  startWork,
} from '../store/campaigns.js'
import { requireSegment } from '../store/segments.js'
import { variantChooser } from '../store/variants.js'

/** A start message may come a second early (SQS delays are whole seconds). */
const EARLY_TOLERANCE_MS = 1_000

/**
 * The campaign send job (queue `campaign-sends`). A `start` at the scheduled time turns the
 * campaign to sending (Campaign.Started, batch 0); each `batch` sends one page of the segment
 * (send-batch.ts) and commits, with this message's dedupe record, the checkpoint and the next
 * message, or Campaign.Completed after the last page. A message for a campaign that moved on
 * (cancelled, or a batch done already) commits nothing: its conditions fail and are ignored.
 */
export const handler = worker(
  SEND_QUEUE,
  SendMessage,
  async (message, { logger }) => {
    const { tenantId, campaignId, correlationId } = message
    const campaign = await getCampaign(tenantId, campaignId)
    if (!campaign) return undefined
    if (message.step === 'start') {
      if (campaign.status !== 'scheduled') return undefined
      if (Date.parse(campaign.scheduledAt ?? '') - Date.now() > EARLY_TOLERANCE_MS)
        return startLaterWork(campaign, tenantId, correlationId)
      try {
        const segment = await requireSegment(tenantId, campaign.segmentId)
        return startWork(campaign, tenantId, correlationId, segment.rule)
      } catch (err) {
        if (!(err instanceof NotFound)) throw err
        return cancelAtStartWork(
          campaign,
          tenantId,
          correlationId,
          'The segment was deleted before the send began',
        )
      }
    }
    if (campaign.status !== 'sending' || campaign.sendBatch !== message.batch) return undefined
    const outcome = await runBatch(campaign, tenantId, {
      logger,
      correlationId,
      chooseVariants: variantChooser(correlationId),
    })
    if (outcome.kind === 'stopped') return undefined
    logger.info('Campaign batch', { campaignId, batch: message.batch, attempt: message.attempt, ...outcome })
    if (outcome.kind === 'again')
      return batchAgainWork(campaign, tenantId, message, outcome.counts, outcome.delaySeconds)
    return batchDoneWork(campaign, tenantId, message, outcome.counts, outcome.nextCursor)
  },
  { onConditionFailed: 'ignore' },
)
