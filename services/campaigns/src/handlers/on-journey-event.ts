import { journeyEventWork } from '../journey-events.js'
import { subscriber } from '../kit.js'
import { journeyEvents } from '../subscriptions.js'

/**
 * Another service's event about a contact (domain/journey.ts JOURNEY_EVENTS): journeys start and
 * end on it (journey-events.ts), committed with the event's dedupe record. Campaigns' own
 * Email.Clicked / Email.Unsubscribed reach journeys through the email-activity queue instead
 * (handlers/count-email-event.ts).
 */
export const handler = subscriber(journeyEvents, async (event) =>
  journeyEventWork({
    name: { source: event.source, detailType: event.detailType },
    tenantId: event.detail.tenantId,
    correlationId: event.detail.correlationId,
    occurredAt: event.detail.occurredAt,
    data: event.detail.data,
  }),
)
