import { engagementOf } from '../domain/engagement.js'
import { subscriber } from '../kit.js'
import { creditEngagement } from '../store/engagement.js'
import { onCampaignEngagement } from '../subscriptions.js'

/**
 * `Email.Opened` / `Email.Clicked` (crm.campaigns) → engagement points on the lead they name (by
 * `leadId`, `contactId` or `email`), rescored with `Lead.Updated`; idempotent as `on-engagement`.
 */
export const handler = subscriber(onCampaignEngagement, async (event) => {
  const target = engagementOf(event.detailType, event.detail.data)
  return target ? creditEngagement(event.detail.tenantId, target, event.detail.correlationId) : undefined
})
