/**
 * What one event type of the catalogue is (its `detail-type`, source, version and `data` schema),
 * the envelope every event shares, and the JSON Schema an integrator's rule target receives.
 *
 * Each service's events live in `<service>-events.ts` and import only this module, so the
 * catalogue (`events.ts`), which aggregates them, is never imported back.
 */
import * as z from 'zod/mini'
import { openObjects } from './json-schema.js'

/** One event type of the catalogue; `D` keeps the `data` schema's type for typed subscribers. */
export interface EventContract<D extends z.ZodMiniType = z.ZodMiniType> {
  /** `crm.<service>` */
  source: string
  /** `<Entity>.<PastTense>` */
  detailType: string
  /** Schema version of `data` (`detail.version`). */
  version: number
  description: string
  /** Schema of `detail.data`. */
  data: D
}

/** Declares an event contract, keeping the literal names and the `data` type. */
export function eventContract<const D extends z.ZodMiniType>(contract: EventContract<D>): EventContract<D> {
  return contract
}

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

/** A contract as a manifest's `publishes` entry (the catalogue and the Schema Registry read these). */
export function published(contract: EventContract): {
  detailType: string
  schema: z.ZodMiniType
  version: number
  description: string
} {
  return {
    detailType: contract.detailType,
    schema: contract.data,
    version: contract.version,
    description: contract.description,
  }
}
