/**
 * Idempotent EventBridge consumers. Delivery is at-least-once: each event id is recorded
 * (`T#<tenant>#EVT#<id>`, sk `EVT#<subscription>`, ttl 7 days) in the same TransactWriteItems as the consumer's
 * own unit of work, so a redelivered event is a no-op.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { EventBridgeEvent } from 'aws-lambda'
import type { ZodMiniType } from 'zod/mini'
// A namespace import lets esbuild tree-shake zod: `import { z }` drags in every locale and the
// JSON Schema generator (~430 KB minified instead of ~14 KB).
import * as z from 'zod/mini'
import { commitWithDedupe, documentClient, tableName } from './ddb.js'
import { tenantKey } from './keys.js'
import { createLogger, type Logger } from './log.js'
import type { EventRef } from './manifest.js'
import { type DomainEvent, type EventEnvelope, MAX_TRANSACT_ITEMS } from './outbox.js'
import { issueMessage, zodIssuesToFieldErrors } from './validation.js'
import { itemsOf, type Work } from './work.js'

/** An event as a consumer sees it. */
export interface IncomingEvent<D> extends DomainEvent<D> {
  /** EventBridge's own id of this delivery (differs from `detail.id` when the event is re-put). */
  eventBridgeId: string
}

/**
 * The events a subscription receives, one member per contract: narrowing on `detailType`
 * narrows `detail.data` to that contract's data.
 */
export type EventOf<S> = S extends { events: readonly (infer E)[] }
  ? E extends EventRef<infer D> & { detailType: infer T extends string }
    ? IncomingEvent<D> & { detailType: T }
    : never
  : IncomingEvent<unknown>

export interface ConsumeOptions {
  /**
   * What a failed condition of the returned work means: `retry` (default) throws so the bus
   * retries (e.g. the item a change applies to is not there yet); `ignore` treats the event as
   * applied (e.g. a version guard saw a newer state already).
   */
  onConditionFailed?: 'retry' | 'ignore'
}

export type SubscriberHandler = (event: EventBridgeEvent<string, EventEnvelope>) => Promise<void>

/** How long a processed event id is remembered. */
export const DEDUPE_TTL_SECONDS = 7 * 24 * 3600

// Built on first use: a module that only declares functions is dropped from bundles that do not
// call them (an HTTP handler importing the service's kit).
let eventSchemaCache:
  | ZodMiniType<{ id: string; source: string; 'detail-type': string; detail: EventEnvelope }>
  | undefined
const eventSchema = () => {
  eventSchemaCache ??= buildEventSchema()
  return eventSchemaCache
}

function buildEventSchema() {
  const envelopeSchema = z.object({
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    tenantId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/)),
    occurredAt: z.string().check(z.minLength(1)),
    version: z.number().check(z.int(), z.nonnegative()),
    correlationId: z.string(),
    data: z.unknown(),
  })
  return z.object({
    id: z.string(),
    source: z.string().check(z.minLength(1)),
    'detail-type': z.string().check(z.minLength(1)),
    detail: envelopeSchema,
  })
}

/** Picks the schema of an event's data: by source and detail-type; `null` → not one this consumer takes. */
export type DataSchemaOf = (source: string, detailType: string) => ZodMiniType | undefined | null

/**
 * The consumer of one subscription: envelope checked, data validated by `dataSchema`, dedupe by
 * event id, the handler's unit of work committed with the dedupe record in one transaction.
 */
export function consumer(
  config: {
    service: string
    table: string
    logger?: Logger
    /**
     * The subscription's name: each subscription dedupes on its own (sk `EVT#<name>`), so two
     * subscriptions of one service that receive the same event (campaigns' audience projection and
     * its journeys both follow Contact.Created) each handle it once, instead of the first one's
     * record making the other skip it as a duplicate. Without one, sk `EVT`.
     */
    scope?: string
  },
  dataSchema: DataSchemaOf,
  handle: (event: IncomingEvent<unknown>, ctx: { logger: Logger }) => Promise<Work | undefined>,
  options: ConsumeOptions = {},
): SubscriberHandler {
  const logger = config.logger ?? createLogger(config.service)
  return async (event) => {
    const parsed = eventSchema().safeParse(event, { error: issueMessage })
    if (!parsed.success) {
      logger.error('Malformed event dropped', {
        eventBridgeId: (event as { id?: unknown } | undefined)?.id,
        errors: zodIssuesToFieldErrors(parsed.error.issues, '', 'event'),
      })
      return
    }
    const { detail, source } = parsed.data
    const detailType = parsed.data['detail-type']
    const schema = dataSchema(source, detailType)
    if (schema === null) {
      logger.error('Event of a type this subscription does not receive dropped', {
        eventId: detail.id,
        source,
        detailType,
      })
      return
    }
    let data: unknown = detail.data
    if (schema) {
      const result = schema.safeParse(detail.data, { error: issueMessage })
      if (!result.success) {
        logger.error('Event with invalid data dropped', {
          eventId: detail.id,
          detailType,
          errors: zodIssuesToFieldErrors(result.error.issues, 'data', 'data'),
        })
        return
      }
      data = result.data
    }

    logger.appendPersistentKeys({ correlationId: detail.correlationId, eventId: detail.id })
    try {
      const table = tableName(config.service, config.table)
      const key = {
        pk: tenantKey(detail.tenantId, 'EVT', detail.id),
        sk: config.scope ? `EVT#${config.scope}` : 'EVT',
      }
      // Cheap early exit so a redelivery does not even run the handler (and its side effects).
      const seen = await documentClient().send(
        new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
      )
      if (seen.Item) {
        logger.info('Duplicate event ignored')
        return
      }
      const incoming: IncomingEvent<unknown> = {
        source,
        detailType,
        detail: { ...detail, data } as EventEnvelope<unknown>,
        eventBridgeId: parsed.data.id,
      }
      const items = itemsOf(await handle(incoming, { logger }))
      const dedupe = {
        TableName: table,
        Item: { ...key, kind: 'event', detailType, ttl: Math.floor(Date.now() / 1000) + DEDUPE_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk)',
      }
      if (items.length + 1 > MAX_TRANSACT_ITEMS) {
        throw new Error(`A subscriber may write at most ${MAX_TRANSACT_ITEMS - 1} items per event`)
      }
      const outcome = await commitWithDedupe(items, dedupe, {
        ignoreConditionFailed: options.onConditionFailed === 'ignore',
      })
      if (outcome === 'duplicate') logger.info('Duplicate event ignored')
      if (outcome === 'condition-failed')
        logger.info('Condition of the event writes failed; event treated as applied')
    } finally {
      logger.removePersistentKeys(['correlationId', 'eventId'])
    }
  }
}
