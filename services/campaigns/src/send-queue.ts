/**
 * The campaign send job's work queue (`campaign-sends`, manifest `queues`): internal plumbing, not
 * business events. Each message is a queue-outbox item in the SAME transaction as the campaign
 * change it belongs to (scheduled, started, a batch done), so a message exists if and only if that
 * change committed, and the worker always finds it.
 *
 * | message                                   | what the worker does                                      |
 * | ----------------------------------------- | --------------------------------------------------------- |
 * | `{ step: 'start' }`                       | at `sendAt`: scheduled → sending, Campaign.Started, batch 0 |
 * | `{ step: 'batch', batch: n, attempt }`    | sends batch n from the campaign's checkpointed cursor      |
 *
 * A batch whose time budget ran out, or that SES throttled, asks for itself again (`attempt` + 1,
 * a new message id, so the worker's dedupe does not swallow it); the per-recipient send records
 * make the repeat skip everyone already claimed.
 */
import { queueOutboxPut, type TransactItem } from '@relay/core/outbox'
import * as z from 'zod/mini'
import { SERVICE, table } from './store/table.js'

export const SEND_QUEUE = 'campaign-sends'

const TenantId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/))
const CampaignId = z.string().check(z.minLength(1), z.maxLength(64))

export const SendMessage = z.discriminatedUnion('step', [
  z.object({
    step: z.literal('start'),
    tenantId: TenantId,
    campaignId: CampaignId,
    correlationId: z.string(),
  }),
  z.object({
    step: z.literal('batch'),
    tenantId: TenantId,
    campaignId: CampaignId,
    correlationId: z.string(),
    batch: z.number().check(z.int(), z.nonnegative()),
    attempt: z.number().check(z.int(), z.nonnegative()),
  }),
])
export type SendMessage = z.infer<typeof SendMessage>

/** SQS's longest delay: a later send time is reached in hops of this. */
export const MAX_DELAY_SECONDS = 900

/** The transaction item asking for `message` (store modules only, in the write it belongs to). */
export function sendQueueItem(message: SendMessage, delaySeconds = 0): TransactItem {
  return queueOutboxPut(table(), {
    tenantId: message.tenantId,
    service: SERVICE,
    queue: SEND_QUEUE,
    body: message,
    delaySeconds: Math.max(0, Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds))),
  })
}
