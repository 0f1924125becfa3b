/**
 * Consumers of a service's work queues: SQS → Lambda with partial batch failures. Delivery is
 * at-least-once, so each message's stable id is recorded (`T#<tenant>#MSG#<id>`, sk `MSG`, ttl 14
 * days) in the same TransactWriteItems as the unit of work the handler returns, and a redelivered
 * message is a no-op, as for event subscribers. The stable id is the outbox item's (attribute
 * `relay-message-id`, set by the queue publisher): a message the publisher sent twice (its batch
 * retried after a partial failure) has two SQS MessageIds but one outbox id. A message sent
 * without it (directly, `sendToQueue`) is known by its SQS MessageId.
 *
 * | message                         | outcome                                                   |
 * | ------------------------------- | --------------------------------------------------------- |
 * | body not JSON, fails its schema, or names no tenant | logged and dropped: a retry could never make it valid     |
 * | already processed (same stable id) | acknowledged, handler not run                             |
 * | handler throws                  | only this message in `batchItemFailures`: SQS redelivers it after its visibility timeout, then dead-letters it after the queue's maxReceiveCount |
 * | handler returns a Work / nothing| committed with the dedupe record; acknowledged            |
 *
 * Kept apart from `./queue.ts` so a consumer does not bundle the SQS client, and on `zod/mini`
 * (cold start, DESIGN §7).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import type { ZodMiniType } from 'zod/mini'
import { commitWithDedupe, documentClient, tableName } from './ddb.js'
import { tenantKey } from './keys.js'
import { createLogger, type Logger } from './log.js'
import { MAX_TRANSACT_ITEMS } from './outbox.js'
import { isStableMessageId, MESSAGE_ID_ATTRIBUTE } from './queue-message.js'
import { issueMessage, zodIssuesToFieldErrors } from './validation.js'
import { itemsOf, type Work } from './work.js'

/** How long a processed message id is remembered (SQS keeps a message 4 days by default, at most 14). */
export const MESSAGE_DEDUPE_TTL_SECONDS = 14 * 24 * 3600

/** Every work message belongs to one tenant: its dedupe record lives in that tenant's key space. */
export interface TenantMessage {
  tenantId: string
}

export interface WorkerContext {
  logger: Logger
  /** The message's stable id (its outbox item's id, else SQS's MessageId): the same on every delivery and re-send. */
  messageId: string
  /** 1 on the first delivery; the message is dead-lettered once this passes the queue's maxReceiveCount. */
  receiveCount: number
}

/** Handles one message; returns the writes to commit with its dedupe record (or nothing). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to commit just ends (`async () => {}`)
export type WorkerHandle<T> = (body: T, ctx: WorkerContext) => Promise<Work | undefined | void>

export interface WorkerOptions {
  /**
   * What a failed condition of the returned unit of work means: `retry` (default) marks the
   * message failed so SQS redelivers it; `ignore` treats it as done.
   */
  onConditionFailed?: 'retry' | 'ignore'
}

export type WorkerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>

type Outcome = 'done' | 'duplicate' | 'dropped'

/** The id a message keeps across re-sends: its `relay-message-id` attribute, else SQS's MessageId. */
export function stableMessageId(record: SQSRecord): string {
  const carried = record.messageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.stringValue
  return isStableMessageId(carried) ? carried : record.messageId
}

/**
 * One per service: the factory of its queue consumers (the kit's `worker`).
 *
 * @example
 * const worker = createWorker({ service: 'contacts', table: 'main' })
 * export const handler = worker('import-chunks', ImportChunk, async ({ tenantId, jobId, chunk }, { logger }) => {
 *   const rows = await readChunk(tenantId, jobId, chunk)
 *   return importRows(tenantId, jobId, rows) // a Work
 * })
 */
export function createWorker(config: { service: string; table: string; logger?: Logger }) {
  const logger = config.logger ?? createLogger(config.service)
  return <T extends TenantMessage>(
    queue: string,
    schema: ZodMiniType<T>,
    handle: WorkerHandle<T>,
    options: WorkerOptions = {},
  ): WorkerHandler => {
    const processOne = async (record: SQSRecord): Promise<Outcome> => {
      const messageId = stableMessageId(record)
      const ids = { queue, messageId, sqsMessageId: record.messageId }
      let json: unknown
      try {
        json = JSON.parse(record.body)
      } catch {
        logger.error('Message body is not JSON; dropped', { ...ids, bytes: Buffer.byteLength(record.body) })
        return 'dropped'
      }
      const parsed = schema.safeParse(json, { error: issueMessage })
      if (!parsed.success) {
        logger.error('Message body does not match its schema; dropped', {
          ...ids,
          errors: zodIssuesToFieldErrors(parsed.error.issues, '', 'body'),
        })
        return 'dropped'
      }
      const body = parsed.data
      if (typeof body.tenantId !== 'string' || body.tenantId === '' || body.tenantId.includes('#')) {
        logger.error('Message names no valid tenantId; dropped', ids)
        return 'dropped'
      }
      const table = tableName(config.service, config.table)
      const key = { pk: tenantKey(body.tenantId, 'MSG', messageId), sk: 'MSG' }
      // Cheap early exit so a redelivery does not even run the handler (and its side effects).
      const seen = await documentClient().send(
        new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
      )
      if (seen.Item) return 'duplicate'

      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1
      const items = itemsOf((await handle(body, { logger, messageId, receiveCount })) ?? undefined)
      if (items.length + 1 > MAX_TRANSACT_ITEMS)
        throw new Error(`A worker may write at most ${MAX_TRANSACT_ITEMS - 1} items per message`)
      const dedupe = {
        TableName: table,
        Item: {
          ...key,
          kind: 'message',
          queue,
          ttl: Math.floor(Date.now() / 1000) + MESSAGE_DEDUPE_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }
      const outcome = await commitWithDedupe(items, dedupe, {
        ignoreConditionFailed: options.onConditionFailed === 'ignore',
      })
      if (outcome === 'duplicate') return 'duplicate'
      if (outcome === 'condition-failed')
        logger.info('Condition of the message writes failed; message treated as done', ids)
      return 'done'
    }

    // One message after another: a batch shares the function's timeout and its table's capacity.
    return async (event) => {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = []
      for (const record of event.Records) {
        logger.appendPersistentKeys({
          queue,
          messageId: stableMessageId(record),
          sqsMessageId: record.messageId,
        })
        try {
          const outcome = await processOne(record)
          if (outcome === 'duplicate') logger.info('Duplicate message ignored')
        } catch (err) {
          logger.error('Message failed; SQS will deliver it again', {
            receiveCount: record.attributes.ApproximateReceiveCount,
            error: err as Error,
          })
          batchItemFailures.push({ itemIdentifier: record.messageId })
        } finally {
          logger.removePersistentKeys(['queue', 'messageId', 'sqsMessageId'])
        }
      }
      return { batchItemFailures }
    }
  }
}
