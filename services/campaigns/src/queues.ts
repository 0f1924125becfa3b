/**
 * The campaigns service's own email activity (`email-activity`, manifest `queues`): every Email.*
 * event campaigns writes to its outbox also writes, in the SAME transaction, one message here, so
 * the report's counters and the journeys' exits follow campaigns' own sends, opens, clicks and
 * feedback through a work queue, not through the public bus (DESIGN §3). The event still goes out
 * for the other services.
 *
 * | message                                                        | consumer          |
 * | -------------------------------------------------------------- | ----------------- |
 * | `{ id, detailType, tenantId, occurredAt, correlationId, data }` | count-email-event |
 *
 * `id` is the event's id: the counters pick their shard by it, as they did by the event.
 */
import { type DomainEvent, queueOutboxPut, type TransactItem } from '@relay/core/outbox'
import * as z from 'zod/mini'
import { SERVICE, table } from './store/table.js'

export const EMAIL_ACTIVITY_QUEUE = 'email-activity'

export const EmailActivityMessage = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  detailType: z.string().check(z.regex(/^Email\./)),
  tenantId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/)),
  occurredAt: z.string(),
  correlationId: z.string(),
  data: z.record(z.string(), z.unknown()),
})
export type EmailActivityMessage = z.infer<typeof EmailActivityMessage>

/** The transaction item telling the worker about `event` (in the write that carries the event). */
export function emailActivityItem(event: DomainEvent): TransactItem {
  const { id, tenantId, occurredAt, correlationId, data } = event.detail
  const message: EmailActivityMessage = {
    id,
    detailType: event.detailType,
    tenantId,
    occurredAt,
    correlationId,
    data: data as Record<string, unknown>,
  }
  return queueOutboxPut(table(), { tenantId, service: SERVICE, queue: EMAIL_ACTIVITY_QUEUE, body: message })
}
