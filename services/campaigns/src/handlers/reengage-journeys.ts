import { newId } from '@relay/core/ids'
import { enqueue, reengagementJourneys } from '../store/journeys.js'

/**
 * Schedule `journey-reengagement` (rate 1 day): every active re-engagement journey (trigger
 * crm.campaigns Contact.Inactive) of every tenant gets a scan of its audience, page by page on the
 * `journey-steps` queue, enrolling whoever has not engaged for the journey's `inactiveDays`.
 */
export async function handler(): Promise<{ journeys: number }> {
  const journeys = await reengagementJourneys()
  const correlationId = `reengagement-${newId()}`
  for (const { tenantId, journeyId } of journeys)
    await enqueue({ kind: 'inactive-scan', tenantId, journeyId, correlationId })
  return { journeys: journeys.length }
}
