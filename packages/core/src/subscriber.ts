/**
 * Idempotent EventBridge consumers. Delivery is at-least-once: each event id is recorded
 * (`T#<tenant>#EVT#<id>`, sk `EVT`, ttl 7 days) in the same TransactWriteItems as the consumer's
 * own writes, so a redelivered event is a no-op.
 */
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { EventBridgeEvent } from 'aws-lambda'
import type { ZodMiniType } from 'zod/mini'
// A namespace import lets esbuild tree-shake zod: `import { z }` drags in every locale and the
// JSON Schema generator (~430 KB minified instead of ~14 KB).
import * as z from 'zod/mini'
import { documentClient, isConditionalCheckFailed, tableName } from './ddb.js'
import { tenantKey } from './keys.js'
import { createLogger, type Logger } from './log.js'
import { type DomainEvent, type EventEnvelope, MAX_TRANSACT_ITEMS, type TransactItem } from './outbox.js'
import { issueMessage, zodIssuesToFieldErrors } from './validation.js'

/** An event as a consumer sees it. */
export interface IncomingEvent<D> extends DomainEvent<D> {
  /** EventBridge's own id of this delivery (differs from `detail.id` when the event is re-put). */
  eventBridgeId: string
}

export interface SubscriberOptions<D> {
  /** Schema of `detail.data`; an event whose data does not match is logged and dropped. */
  data?: ZodMiniType<D>
  /**
   * What a failed condition of the returned items means: `retry` (default) throws so the bus
   * retries (e.g. the item a change applies to is not there yet); `ignore` treats the event as
   * applied (e.g. a version guard saw a newer state already).
   */
  onConditionFailed?: 'retry' | 'ignore'
  /** Returns the writes to make; they are committed with the dedupe record in one transaction. */
  handle(event: IncomingEvent<D>, ctx: { logger: Logger }): Promise<TransactItem[] | undefined>
}

export type SubscriberHandler = (event: EventBridgeEvent<string, EventEnvelope>) => Promise<void>

/** How long a processed event id is remembered. */
export const DEDUPE_TTL_SECONDS = 7 * 24 * 3600

const envelopeSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  tenantId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/)),
  occurredAt: z.string().check(z.minLength(1)),
  version: z.number().check(z.int(), z.nonnegative()),
  correlationId: z.string(),
  data: z.unknown(),
})

const eventSchema = z.object({
  id: z.string(),
  source: z.string().check(z.minLength(1)),
  'detail-type': z.string().check(z.minLength(1)),
  detail: envelopeSchema,
})

/**
 * One per service: the factory of its idempotent event consumers.
 *
 * @example
 * const subscriber = createSubscriber({ service: 'campaigns', table: 'main' })
 * export const handler = subscriber({
 *   data: ContactCreatedData,
 *   async handle(event) {
 *     const t = tableName('campaigns', 'main')
 *     return [{ Put: { TableName: t, Item: { pk: tenantKey(event.detail.tenantId, 'RCPT', event.detail.data.id), sk: 'RCPT' } } }]
 *   },
 * })
 */
export function createSubscriber(config: {
  service: string
  table: string
}): <D>(options: SubscriberOptions<D>) => SubscriberHandler {
  const logger = createLogger(config.service)
  return <D>(options: SubscriberOptions<D>): SubscriberHandler =>
    async (event) => {
      const parsed = eventSchema.safeParse(event, { error: issueMessage })
      if (!parsed.success) {
        logger.error('Malformed event dropped', {
          eventBridgeId: (event as { id?: unknown } | undefined)?.id,
          errors: zodIssuesToFieldErrors(parsed.error.issues, '', 'event'),
        })
        return
      }
      const { detail } = parsed.data
      let data = detail.data as D
      if (options.data) {
        const result = options.data.safeParse(detail.data, { error: issueMessage })
        if (!result.success) {
          logger.error('Event with invalid data dropped', {
            eventId: detail.id,
            detailType: parsed.data['detail-type'],
            errors: zodIssuesToFieldErrors(result.error.issues, 'data', 'data'),
          })
          return
        }
        data = result.data
      }

      logger.appendPersistentKeys({ correlationId: detail.correlationId, eventId: detail.id })
      try {
        const table = tableName(config.service, config.table)
        const key = { pk: tenantKey(detail.tenantId, 'EVT', detail.id), sk: 'EVT' }
        // Cheap early exit so a redelivery does not even run the handler (and its side effects).
        const seen = await documentClient().send(
          new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
        )
        if (seen.Item) {
          logger.info('Duplicate event ignored')
          return
        }
        const incoming: IncomingEvent<D> = {
          source: parsed.data.source,
          detailType: parsed.data['detail-type'],
          detail: { ...detail, data } as EventEnvelope<D>,
          eventBridgeId: parsed.data.id,
        }
        const items = (await options.handle(incoming, { logger })) ?? []
        const dedupe = {
          TableName: table,
          Item: {
            ...key,
            kind: 'event',
            detailType: incoming.detailType,
            ttl: Math.floor(Date.now() / 1000) + DEDUPE_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }
        if (items.length + 1 > MAX_TRANSACT_ITEMS) {
          throw new Error(`A subscriber may write at most ${MAX_TRANSACT_ITEMS - 1} items per event`)
        }
        try {
          if (items.length === 0) await documentClient().send(new PutCommand(dedupe))
          else {
            await documentClient().send(
              new TransactWriteCommand({ TransactItems: [...items, { Put: dedupe }] }),
            )
          }
        } catch (err) {
          if (!isConditionalCheckFailed(err)) throw err
          const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons
          // The dedupe Put is last: its failure means another delivery got there first.
          const dedupeFailed = !reasons || reasons[reasons.length - 1]?.Code === 'ConditionalCheckFailed'
          if (dedupeFailed) {
            logger.info('Duplicate event ignored')
            return
          }
          if (options.onConditionFailed === 'ignore') {
            logger.info('Condition of the event writes failed; event treated as applied')
            return
          }
          throw err
        }
      } finally {
        logger.removePersistentKeys(['correlationId', 'eventId'])
      }
    }
}
