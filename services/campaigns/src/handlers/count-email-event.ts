import { combine } from '@relay/core/work'
import type { MetricEvent } from '../domain/report.js'
import { subscriber } from '../kit.js'
import { clickTouchWork, countEventWork } from '../store/metrics.js'
import { campaignMetrics } from '../subscriptions.js'

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
 * A campaign email event → its counters (once per event: the dedupe record commits with them;
 * unique opens and clicks once per recipient: their markers). A click is also kept for a
 * conversion to be credited to. Events without a campaign, variant and contact (another sender's
 * Email.Opened, an unsubscribe from a footer without a send) count for no campaign.
 */
export const handler = subscriber(campaignMetrics, async (event) => {
  const kind = METRIC[event.detailType]
  const d = event.detail.data as Subject
  if (!kind || !d.campaignId || !d.variantId || !d.contactId) return undefined
  const subject = { campaignId: d.campaignId, variantId: d.variantId, contactId: d.contactId }
  const at = d.occurredAt ?? event.detail.occurredAt
  const counted = await countEventWork(event.detail.tenantId, event.detail.id, kind, subject, at)
  return combine(counted, kind === 'clicked' ? clickTouchWork(event.detail.tenantId, subject, at) : undefined)
})
