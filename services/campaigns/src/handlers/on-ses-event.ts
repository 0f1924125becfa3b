import { CAMPAIGN_EMAIL_EVENT } from '@relay/contracts/campaigns-events'
import { commitWithDedupe, tableName } from '@relay/core/ddb'
import { nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { createLogger } from '@relay/core/log'
import { DEDUPE_TTL_SECONDS } from '@relay/core/subscriber'
import type { EventBridgeEvent } from 'aws-lambda'
import { feedbackOf, SesEventDetail, sendOf } from '../domain/ses-feedback.js'
import { emailActivityItem } from '../queues.js'
import { feedbackItems, getSend, recipientData } from '../store/sends.js'
import { suppressionItem } from '../store/suppressions.js'
import { campaignEvent, eventItem, SERVICE } from '../store/table.js'

const logger = createLogger(SERVICE)

const FEEDBACK_EVENT = {
  delivered: CAMPAIGN_EMAIL_EVENT.delivered,
  bounced: CAMPAIGN_EMAIL_EVENT.bounced,
  complained: CAMPAIGN_EMAIL_EVENT.complained,
} as const

/**
 * SES configuration-set events (`aws.ses` on the crm bus; locally from the SES endpoint): the send's
 * status moves up, a hard bounce or a complaint suppresses the address, and Email.Delivered /
 * Bounced / Complained is published, all with the event's dedupe record in one transaction, so a
 * redelivered event is a no-op. SES events carry no envelope of ours: this is a plain subscriber,
 * keyed on EventBridge's event id. Mail that is not a campaign's (no send tags) is ignored.
 */
export async function handler(event: EventBridgeEvent<string, unknown>): Promise<void> {
  const parsed = SesEventDetail.safeParse(event.detail)
  if (!parsed.success) {
    logger.warn('SES event of an unknown shape; dropped', { id: event.id, detailType: event['detail-type'] })
    return
  }
  const ref = sendOf(parsed.data)
  const feedback = feedbackOf(parsed.data, event.time ? new Date(event.time).toISOString() : nowIso())
  if (!ref || !feedback) return
  const send = await getSend(ref.tenantId, ref.campaignId, ref.contactId)
  if (!send) {
    logger.info('SES event for a send campaigns does not hold; dropped', { id: event.id, ...ref })
    return
  }
  const sesMessageId = parsed.data.mail.messageId
  const data = {
    ...recipientData(send),
    occurredAt: feedback.at,
    sesMessageId,
    ...(feedback.kind === 'bounced'
      ? {
          bounceType: feedback.bounceType,
          ...(feedback.bounceSubType ? { bounceSubType: feedback.bounceSubType } : {}),
          ...(feedback.diagnostic ? { diagnostic: feedback.diagnostic } : {}),
          suppressed: feedback.suppress,
        }
      : {}),
    ...(feedback.kind === 'complained' && feedback.feedbackType
      ? { feedbackType: feedback.feedbackType }
      : {}),
  }
  const published = campaignEvent(ref.tenantId, event.id, FEEDBACK_EVENT[feedback.kind], data)
  const items = [
    feedbackItems(ref.tenantId, send, feedback.kind, feedback.at),
    eventItem(published),
    // The report's counters follow it through the work queue, not the bus.
    emailActivityItem(published),
    ...(feedback.kind !== 'delivered' && feedback.suppress
      ? [
          suppressionItem(ref.tenantId, {
            email: send.email,
            reason: feedback.kind === 'bounced' ? 'bounce' : 'complaint',
            source: feedback.kind === 'bounced' ? 'ses-bounce' : 'ses-complaint',
            at: feedback.at,
            campaignId: send.campaignId,
            contactId: send.contactId,
            ...(feedback.kind === 'bounced' && feedback.diagnostic ? { detail: feedback.diagnostic } : {}),
          }),
        ]
      : []),
  ]
  const table = tableName(SERVICE, 'main')
  const outcome = await commitWithDedupe(
    items,
    {
      TableName: table,
      Item: {
        pk: tenantKey(ref.tenantId, 'EVT', event.id),
        sk: 'EVT',
        kind: 'dedupe',
        ttl: Math.floor(Date.now() / 1000) + DEDUPE_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
    // A weaker status after a stronger one (a Delivery after its Bounce) changes nothing.
    { ignoreConditionFailed: true },
  )
  logger.info('SES feedback', { id: event.id, kind: feedback.kind, outcome, ...ref })
}
