import { entitiesOf, planEvent } from '../domain/ingest.js'
import { subscriber } from '../kit.js'
import { readEntities } from '../store/entities.js'
import { ingestWork } from '../store/ingest.js'
import { getSettings } from '../store/settings.js'
import { aggregateEvents } from '../subscriptions.js'

/**
 * Any KPI event → its cells on one shard of the daily aggregates, and the entity state it changes,
 * committed with the event's dedupe record in one transaction: a redelivery is a no-op, and two
 * events racing on one deal make one of them fail its revision check and be retried by the bus.
 */
export const handler = subscriber(aggregateEvents, async (event) => {
  const tenantId = event.detail.tenantId
  const e = {
    id: event.detail.id,
    type: event.detailType,
    occurredAt: event.detail.occurredAt,
    data: event.detail.data,
  }
  const keys = entitiesOf(e)
  const [settings, stored] = await Promise.all([getSettings(tenantId), readEntities(tenantId, keys)])
  const current = new Map(keys.map((k) => [k, stored.get(k)?.entity] as const))
  return ingestWork(tenantId, e.id, planEvent(e, settings.timeZone, current), stored)
})
