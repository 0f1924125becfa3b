/**
 * The event catalogue: every business event of the services whose contracts live here, and the
 * catalogue as JSON Schema for integrators (and the EventBridge Schema Registry). It only
 * aggregates: each event is declared in its service's `<service>-events.ts`, the contract shape in
 * `event-contract.ts`, and no module of this package imports this one.
 *
 * Any manifest's `publishes` can be turned into the same shape with {@link eventsOfServices}, so the
 * published catalogue is always what the manifests declare. Internal work (import chunks, export
 * runs) goes through work queues and is not here.
 */
import type { ServiceManifest } from '@relay/core/manifest'
import * as z from 'zod/mini'
import { ANALYTICS_EVENTS } from './analytics-events.js'
import { CAMPAIGNS_EVENTS } from './campaigns-events.js'
import { CONTACTS_EVENTS } from './contacts-events.js'
import { type EventContract, eventJsonSchema } from './event-contract.js'
import { PIPELINE_EVENTS } from './pipeline-events.js'
import { SERVICE_DESK_EVENTS } from './service-desk-events.js'

export { ContactCreated, ContactDeleted, ContactUpdated } from './contacts-events.js'
export type { EventContract } from './event-contract.js'
export { envelopeSchema, eventJsonSchema } from './event-contract.js'

/** Every event whose contract lives in this package. */
export const EVENT_CATALOGUE: readonly EventContract[] = [
  ...CONTACTS_EVENTS,
  ...PIPELINE_EVENTS,
  ...CAMPAIGNS_EVENTS,
  ...SERVICE_DESK_EVENTS,
  ...ANALYTICS_EVENTS,
]

/** One entry of the published catalogue. */
export interface CatalogueEntry {
  source: string
  detailType: string
  version: number
  description: string
  schema: Record<string, unknown>
}

/** The catalogue as JSON: every event with its JSON Schema, sorted by source then detail-type. */
export function catalogueJson(events: readonly EventContract[] = EVENT_CATALOGUE): CatalogueEntry[] {
  return [...events]
    .sort((a, b) => a.source.localeCompare(b.source) || a.detailType.localeCompare(b.detailType))
    .map((e) => ({
      source: e.source,
      detailType: e.detailType,
      version: e.version,
      description: e.description,
      schema: eventJsonSchema(e),
    }))
}

/**
 * The events the given manifests publish, in catalogue shape. An event declared without a schema
 * gets an open one (`data` is any object) so it still appears.
 */
export function eventsOfServices(services: readonly { manifest: ServiceManifest }[]): EventContract[] {
  return services.flatMap(({ manifest }) =>
    manifest.publishes.map((p) => ({
      source: manifest.source,
      detailType: p.detailType,
      version: p.version ?? 1,
      description: p.description ?? p.detailType,
      data: p.schema ?? z.record(z.string(), z.unknown()),
    })),
  )
}
