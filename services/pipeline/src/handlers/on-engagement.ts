import { engagementOf } from '../domain/engagement.js'
import { subscriber } from '../kit.js'
import { creditEngagement } from '../store/engagement.js'
import { onInteractionLogged } from '../subscriptions.js'

/**
 * `Interaction.Logged` (crm.contacts) → engagement points on the open leads of the contact (by the
 * leads converted into it and by its current emails), rescored with `Lead.Updated`. Idempotent: the
 * event id is deduped with the lead writes, which are version-guarded (a lost race retries).
 */
export const handler = subscriber(onInteractionLogged, async (event) => {
  const target = engagementOf(event.detailType, event.detail.data)
  return target ? creditEngagement(event.detail.tenantId, target, event.detail.correlationId) : undefined
})
