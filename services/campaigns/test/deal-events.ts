/** A pipeline `Deal.Won` delivery as campaigns' subscribers receive it (conversions, journey exits). */
import { newId } from '@relay/core/ids'
import { busEvent } from '../../../test/support/bus-events.js'

export function dealWon(
  tenantId: string,
  contactId: string,
  closedAt: string,
  amount?: { amountMinor: number; currency: string },
) {
  return busEvent({
    source: 'crm.pipeline',
    detailType: 'Deal.Won',
    tenantId,
    data: {
      deal: {
        id: newId(),
        name: 'Deal',
        pipelineId: 'p',
        stageId: 'won',
        status: 'won',
        ...(amount ? { amount } : {}),
        lineItems: [],
        contactId,
        ownerId: 'u-1',
        stageHistory: [],
        closedAt,
        version: 2,
        createdAt: closedAt,
        updatedAt: closedAt,
      },
    },
  })
}
