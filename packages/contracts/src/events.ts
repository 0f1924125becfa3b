/**
 * The event catalogue: every domain event's `detail-type`, source, version and `data` schema, and
 * their JSON Schema for integrators (and the EventBridge Schema Registry).
 *
 * Events of services whose contracts live here are listed in {@link EVENT_CATALOGUE}; any
 * manifest's `publishes` can be turned into the same shape with {@link eventsOfServices}, so the
 * published catalogue is always what the manifests declare.
 */
import type { ServiceManifest } from '@relay/core/manifest'
import * as z from 'zod/mini'
import {
  CONTACT_EVENT,
  CONTACTS_SOURCE,
  ContactCreatedV1,
  ContactDeletedV1,
  ContactUpdatedV1,
} from './contacts.js'
import { CONTACTS_EXTRA_EVENTS } from './contacts-events.js'
import { openObjects } from './json-schema.js'
import { PIPELINE_EVENTS } from './pipeline-events.js'

/** One event type of the catalogue. */
export interface EventContract {
  /** `crm.<service>` */
  source: string
  /** `<Entity>.<PastTense>` */
  detailType: string
  /** Schema version of `data` (`detail.version`). */
  version: number
  description: string
  /** Schema of `detail.data`. */
  data: z.ZodMiniType
}

export const ContactCreated = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.created,
  version: 1,
  description: 'A contact was created; data is the contact.',
  data: ContactCreatedV1,
} as const satisfies EventContract

export const ContactUpdated = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.updated,
  version: 1,
  description:
    "A contact changed; data names each changed field with its value before and after, and the contact's new version.",
  data: ContactUpdatedV1,
} as const satisfies EventContract

export const ContactDeleted = {
  source: CONTACTS_SOURCE,
  detailType: CONTACT_EVENT.deleted,
  version: 1,
  description: 'A contact was deleted.',
  data: ContactDeletedV1,
} as const satisfies EventContract

/** Every event whose contract lives in this package. */
export const EVENT_CATALOGUE: readonly EventContract[] = [
  ContactCreated,
  ContactUpdated,
  ContactDeleted,
  ...CONTACTS_EXTRA_EVENTS,
  ...PIPELINE_EVENTS,
]

/** Schema of `detail`: the envelope every event shares, around its `data`. */
export function envelopeSchema(contract: Pick<EventContract, 'data' | 'version'>) {
  return z.object({
    /** Event id (ULID): consumers dedupe on it. */
    id: z.string(),
    tenantId: z.string(),
    occurredAt: z.iso.datetime(),
    version: z.literal(contract.version),
    correlationId: z.string(),
    data: contract.data,
  })
}

/**
 * JSON Schema (draft 2020-12) of the EventBridge event an integrator's rule target receives:
 * `source` and `detail-type` fixed, `detail` the envelope with this event's `data`. Other
 * EventBridge fields (`id`, `time`, `account`...) are allowed.
 */
export function eventJsonSchema(contract: EventContract): Record<string, unknown> {
  const event = z.looseObject({
    source: z.literal(contract.source),
    'detail-type': z.literal(contract.detailType),
    detail: envelopeSchema(contract),
  })
  // Open objects: data may gain optional fields within a version, and a validating consumer must accept them.
  return {
    ...openObjects(z.toJSONSchema(event, { unrepresentable: 'any' }) as Record<string, unknown>),
    title: `${contract.source} ${contract.detailType} v${contract.version}`,
    description: contract.description,
  }
}

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
