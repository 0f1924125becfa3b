/**
 * The service desk's work queues (manifest `queues`): what each message carries and how a store
 * asks for one. Internal plumbing, not business events: nothing here reaches the bus.
 *
 * | queue         | message                                              | consumer      |
 * | ------------- | ---------------------------------------------------- | ------------- |
 * | assign-ticket | `{ tenantId, ticketId, correlationId }` or `{ tenantId, agentId, correlationId }` | assign-ticket |
 * | send-reply    | `{ tenantId, ticketId, commentId, correlationId }`    | send-reply    |
 * | sla-escalations | `{ tenantId, ticketId, target, cycle, policyId, priorityAtBreach }` | escalate-ticket |
 * | send-survey   | `{ tenantId, ticketId, solvedAt, correlationId }`     | send-survey   |
 *
 * A message is a queue-outbox item in the SAME transaction as the write it belongs to (the new
 * ticket, the public reply): sent if and only if that write commits, and its consumer always finds it.
 */
import { queueOutboxPut, type TransactItem } from '@relay/core/outbox'
import * as z from 'zod/mini'
import { SERVICE, table } from './store/table.js'

const TenantId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/))
const RecordId = z.string().check(z.minLength(1), z.maxLength(64))

/** A new ticket to route to a queue and assign to an agent (desk-sla's worker). */
export const RouteTicketMessage = z.object({
  tenantId: TenantId,
  ticketId: RecordId,
  correlationId: z.string(),
})

/**
 * An agent that may have room again (a ticket released, capacity raised, back available, new
 * skills, a new agent): the worker gives the oldest waiting ticket of the queues it serves.
 */
export const PickUpMessage = z.object({
  tenantId: TenantId,
  agentId: RecordId,
  correlationId: z.string(),
})
export type PickUpMessage = z.infer<typeof PickUpMessage>

/** What the assignment worker takes: a ticket to route, or an agent with room to fill. */
export const AssignTicketMessage = z.union([RouteTicketMessage, PickUpMessage])
export type AssignTicketMessage = z.infer<typeof AssignTicketMessage>

/** A public reply to email to the requester. */
export const SendReplyMessage = z.object({
  tenantId: TenantId,
  ticketId: RecordId,
  commentId: RecordId,
  correlationId: z.string(),
})
export type SendReplyMessage = z.infer<typeof SendReplyMessage>

/** A solved ticket whose satisfaction survey may be due (once per ticket: the worker checks). */
export const SendSurveyMessage = z.object({
  tenantId: TenantId,
  ticketId: RecordId,
  solvedAt: z.string(),
  correlationId: z.string(),
})
export type SendSurveyMessage = z.infer<typeof SendSurveyMessage>

/** A breached SLA target whose policy has escalation rules (desk-sla's escalate-ticket). */
export const SlaEscalationMessage = z.object({
  tenantId: TenantId,
  ticketId: RecordId,
  target: z.enum(['first_response', 'next_response', 'resolution']),
  cycle: z.number(),
  policyId: RecordId,
  /** The priority at the breach: a raise goes one step above it, so a redelivery raises nothing more. */
  priorityAtBreach: z.enum(['low', 'normal', 'high', 'urgent']),
  correlationId: z.string(),
})
export type SlaEscalationMessage = z.infer<typeof SlaEscalationMessage>

/** Each queue's message (the other helpers add theirs here). */
export interface QueueMessages {
  'assign-ticket': AssignTicketMessage
  'send-reply': SendReplyMessage
  'sla-escalations': SlaEscalationMessage
  'send-survey': SendSurveyMessage
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

/** The `assign-ticket` message that offers `agentId` the oldest waiting ticket it can take. */
export function pickUpItem(tenantId: string, agentId: string, correlationId: string): TransactItem {
  return queueItem('assign-ticket', { tenantId, agentId, correlationId })
}
