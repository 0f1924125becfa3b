/**
 * One event's unit of work: its aggregate updates (on its shard) and its entity writes, committed
 * by the subscriber kit together with the event's dedupe record.
 */
import { type Work, work } from '@relay/core/work'
import type { Plan } from '../domain/ingest.js'
import { cellUpdates, shardOf } from './aggregates.js'
import { entityPut, type StoredEntity } from './entities.js'

export function ingestWork(
  tenantId: string,
  eventId: string,
  plan: Plan,
  stored: ReadonlyMap<string, StoredEntity>,
): Work | undefined {
  const items = [
    ...cellUpdates(tenantId, shardOf(eventId), plan.cells),
    ...[...plan.entities].map(([key, entity]) => entityPut(tenantId, key, entity, stored.get(key)?.rev ?? 0)),
  ]
  return items.length > 0 ? work(...items) : undefined
}
