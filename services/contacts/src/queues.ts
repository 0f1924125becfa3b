/**
 * The contacts service's work queues (manifest `queues`): what each message carries and how a
 * store asks for one. Internal plumbing, not business events: nothing here reaches the bus or its
 * catalogue.
 *
 * | queue            | message                                   | consumer              |
 * | ---------------- | ----------------------------------------- | --------------------- |
 * | import-chunks    | `{ tenantId, jobId, chunk, correlationId }` | run-import            |
 * | export-runs      | `{ tenantId, jobId, correlationId }`        | run-export            |
 * | parked-activity  | `{ tenantId, event, parkedAt, attempt }`    | retry-parked-activity |
 *
 * A message is a queue-outbox item in the SAME transaction as the write that makes it meaningful
 * (the job, the finished chunk, the parked event's dedupe record): the table's stream hands it to
 * the outbox publisher, which sends it. So it is sent if and only if its write commits, and its
 * consumer always finds that write: no send-ahead delay, no message for a job that never came.
 */
import { queueOutboxPut, type TransactItem } from '@relay/core/outbox'
import * as z from 'zod/mini'
import { SERVICE, table } from './store/table.js'

const TenantId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/))

export const ImportChunkMessage = z.object({
  tenantId: TenantId,
  jobId: z.string().check(z.minLength(1), z.maxLength(64)),
  chunk: z.number().check(z.int(), z.nonnegative()),
  correlationId: z.string(),
})
export type ImportChunkMessage = z.infer<typeof ImportChunkMessage>

export const ExportRunMessage = z.object({
  tenantId: TenantId,
  jobId: z.string().check(z.minLength(1), z.maxLength(64)),
  correlationId: z.string(),
})
export type ExportRunMessage = z.infer<typeof ExportRunMessage>

/** An event of another service parked until its contact appears (domain/parking.ts): what is needed to make its entry later, and how long it has waited. */
export const ParkedActivityMessage = z.object({
  tenantId: TenantId,
  event: z.object({
    id: z.string().check(z.minLength(1)),
    source: z.string(),
    detailType: z.string(),
    occurredAt: z.string(),
    correlationId: z.string(),
    data: z.unknown(),
  }),
  /** When it was first parked. */
  parkedAt: z.string(),
  /** Parkings so far. */
  attempt: z.number().check(z.int(), z.positive()),
})
export type ParkedActivityMessage = z.infer<typeof ParkedActivityMessage>

/** Each queue's message. */
export interface QueueMessages {
  'import-chunks': ImportChunkMessage
  'export-runs': ExportRunMessage
  'parked-activity': ParkedActivityMessage
}

/**
 * The transaction item asking for `message` on `queue` (store modules only: it goes into the
 * transaction of the write it belongs to).
 */
export function queueItem<Q extends keyof QueueMessages>(
  queue: Q,
  message: QueueMessages[Q],
  delaySeconds?: number,
): TransactItem {
  return queueOutboxPut(table(), {
    tenantId: message.tenantId,
    service: SERVICE,
    queue,
    body: message,
    delaySeconds,
  })
}
