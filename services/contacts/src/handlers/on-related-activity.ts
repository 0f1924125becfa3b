import { entryOrPark } from '../activity-entries.js'
import { subscriber } from '../kit.js'
import { relatedActivity } from '../subscriptions.js'

/**
 * Deal.Created / Won / Lost (crm.pipeline), Ticket.Opened / Solved (crm.service-desk) and
 * Email.Sent / Opened / Clicked (crm.campaigns) → one entry in the contact's own timeline. The entry
 * id comes from the event (time part = occurredAt), so a redelivery writes the same item; the event
 * id is deduped too. An event naming only a recipient email finds its contact through the email
 * guard. An event whose contact is not there (yet, or ever) is parked on `parked-activity` and this
 * delivery ends: never a bus retry, never a dead letter (domain/parking.ts).
 */
export const handler = subscriber(
  relatedActivity,
  async (event, { logger }) => {
    const { tenantId, id, occurredAt, correlationId, data } = event.detail
    return entryOrPark(
      tenantId,
      { id, source: event.source, detailType: event.detailType, occurredAt, correlationId, data },
      undefined,
      logger,
    )
  },
  { onConditionFailed: 'ignore' },
)
