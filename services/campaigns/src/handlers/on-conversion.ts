import type { Interaction } from '@relay/contracts/interactions'
import type { Deal } from '@relay/contracts/pipeline'
import { attributeConversion, dealWonConversion, purchaseConversion } from '../domain/attribution.js'
import { subscriber } from '../kit.js'
import { clicksBefore, conversionWork } from '../store/metrics.js'
import { conversions } from '../subscriptions.js'

/**
 * Deal.Won (with a contact) and purchase interactions → a conversion credited to the contact's last
 * campaign click within its window (domain/attribution.ts); anything else counts for no campaign.
 */
export const handler = subscriber(conversions, async (event) => {
  const { id, tenantId, occurredAt } = event.detail
  const conversion =
    event.detailType === 'Deal.Won'
      ? dealWonConversion(id, occurredAt, (event.detail.data as { deal: Deal }).deal)
      : purchaseConversion(id, event.detail.data as Interaction)
  if (!conversion) return undefined
  const touch = attributeConversion(
    conversion,
    await clicksBefore(tenantId, conversion.contactId, conversion.at),
  )
  return touch ? conversionWork(tenantId, conversion, touch) : undefined
})
