/**
 * The journeys' work queue (`journey-steps`, manifest `queues`): internal plumbing, not business
 * events. Each message is a queue-outbox item in the SAME transaction as the enrolment change it
 * belongs to (enrolled, a step done, a wait over), so it exists if and only if that change
 * committed.
 *
 * | message                                      | what the worker does                                  |
 * | -------------------------------------------- | ----------------------------------------------------- |
 * | `{ kind: 'step', journeyId, contactId, run, step }` | runs the contact's journey from `step` (its run) |
 * | `{ kind: 'inactive-scan', journeyId, cursor? }` | one page of the audience: enrols the inactive, asks for the next page |
 */
import { queueOutboxPut, type TransactItem } from '@relay/core/outbox'
import * as z from 'zod/mini'
import { SERVICE, table } from './store/table.js'

export const JOURNEY_QUEUE = 'journey-steps'

const TenantId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/))
const Ident = z.string().check(z.minLength(1), z.maxLength(128))
const Count = z.number().check(z.int(), z.nonnegative())

export const JourneyMessage = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('step'),
    tenantId: TenantId,
    journeyId: Ident,
    contactId: Ident,
    run: Count,
    step: Count,
    correlationId: z.string(),
  }),
  z.object({
    kind: z.literal('inactive-scan'),
    tenantId: TenantId,
    journeyId: Ident,
    cursor: z.optional(z.string().check(z.maxLength(2048))),
    correlationId: z.string(),
  }),
])
export type JourneyMessage = z.infer<typeof JourneyMessage>
export type StepMessage = Extract<JourneyMessage, { kind: 'step' }>

/** The transaction item asking for `message` (store modules only, in the write it belongs to). */
export function journeyQueueItem(message: JourneyMessage, delaySeconds = 0): TransactItem {
  return queueOutboxPut(table(), {
    tenantId: message.tenantId,
    service: SERVICE,
    queue: JOURNEY_QUEUE,
    body: message,
    delaySeconds: Math.max(0, Math.min(900, Math.ceil(delaySeconds))),
  })
}
