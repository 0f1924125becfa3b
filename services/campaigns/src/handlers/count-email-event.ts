import { CAMPAIGNS_SOURCE } from '@relay/contracts/campaigns-events'
import { combine } from '@relay/core/work'
import { isJourneyEvent } from '../domain/journey.js'
import type { MetricEvent } from '../domain/report.js'
import { journeyEventWork } from '../journey-events.js'
import { worker } from '../kit.js'
import { EMAIL_ACTIVITY_QUEUE, EmailActivityMessage } from '../queues.js'
import { clickTouchWork, countEventWork } from '../store/metrics.js'

const METRIC: Record<string, MetricEvent> = {
  'Email.Sent': 'sent',
  'Email.Delivered': 'delivered',
  'Email.Opened': 'opened',
  'Email.Clicked': 'clicked',
  'Email.Bounced': 'bounced',
  'Email.Complained': 'complained',
  'Email.Unsubscribed': 'unsubscribed',
}

interface Subject {
  campaignId?: string | undefined
  variantId?: string | undefined
  contactId?: string | undefined
  occurredAt?: string | undefined
}

/**
 * Campaigns' own email activity (queue `email-activity`, one message per Email.* event it wrote)
 * → the report's counters (once per message: the worker's dedupe record commits with them; the
 * counter shard is the event's id; unique opens and clicks once per recipient: their markers). A
 * click is also kept for a conversion to be credited to. Email.Clicked and Email.Unsubscribed
 * also start and end journeys (journey-events.ts), in the same transaction. Activity without a
 * campaign, variant and contact (an unsubscribe from a footer without a send) counts for no campaign.
 */
export const handler = worker(EMAIL_ACTIVITY_QUEUE, EmailActivityMessage, async (m) => {
  const name = { source: CAMPAIGNS_SOURCE, detailType: m.detailType }
  const journeys = isJourneyEvent(name, true) ? await journeyEventWork({ name, ...m }) : undefined
  const kind = METRIC[m.detailType]
  const d = m.data as Subject
  if (!kind || !d.campaignId || !d.variantId || !d.contactId) return journeys
  const subject = { campaignId: d.campaignId, variantId: d.variantId, contactId: d.contactId }
  const at = d.occurredAt ?? m.occurredAt
  const counted = await countEventWork(m.tenantId, m.id, kind, subject, at)
  return combine(counted, kind === 'clicked' ? clickTouchWork(m.tenantId, subject, at) : undefined, journeys)
})
