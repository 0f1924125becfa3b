/**
 * The agent-load step of a ticket change: a ticket an agent holds (new, open, pending, on hold)
 * counts towards the agent's load, so a solve or close lets go of it and a reopen takes it back
 * (domain/assignment.ts `loadChange`; the load items are desk-sla's, store/agents.ts). Read against
 * the agents first, so a change never fails on the load:
 *
 * | change                                   | what happens                                            |
 * | ---------------------------------------- | ------------------------------------------------------- |
 * | created with an agent who is unknown     | refused (422, field assigneeId)                         |
 * | created with an agent at capacity        | refused (409 AgentAtCapacity)                           |
 * | reopened, its agent is gone or full      | the ticket leaves the agent and goes back to routing (`assign-ticket`) |
 * | released by an agent no longer there     | nothing to release                                      |
 * | released (solved, closed, moved away)    | the agent picks up a waiting ticket (`assign-ticket` `{ agentId }`) |
 *
 * The claim is still checked by DynamoDB (capacity in the condition): an agent filled between the
 * read and the write fails the transaction, and the caller's retry reads again.
 */

import type { TransactItem } from '@relay/core/outbox'
import { Unprocessable } from '@relay/core/outcomes'
import { AgentAtCapacity, loadChange } from '../domain/assignment.js'
import type { TicketRecord } from '../domain/ticket.js'
import { pickUpItem, queueItem } from '../queues.js'
import { claimAgentItem, getAgent, releaseAgentItem } from './agents.js'

export interface LoadStep {
  ticket: TicketRecord
  items: TransactItem[]
}

export async function loadStep(
  tenantId: string,
  before: TicketRecord | undefined,
  after: TicketRecord,
  now: string,
  correlationId: string,
): Promise<LoadStep> {
  const change = loadChange(before, after)
  if (!change.release && !change.claim) return { ticket: after, items: [] }
  const [released, claimed] = await Promise.all([
    change.release ? getAgent(tenantId, change.release) : undefined,
    change.claim ? getAgent(tenantId, change.claim) : undefined,
  ])
  // The released slot goes to the oldest waiting ticket, asked for in the same transaction.
  const items: TransactItem[] = released
    ? [releaseAgentItem(tenantId, released.id), pickUpItem(tenantId, released.id, correlationId)]
    : []
  if (!change.claim) return { ticket: after, items }
  const free = claimed !== undefined && claimed.load < claimed.capacity
  if (free) return { ticket: after, items: [...items, claimAgentItem(tenantId, claimed.id, now)] }
  if (!before) {
    if (!claimed)
      throw new Unprocessable('No agent with this id', {
        errors: [{ field: 'assigneeId', code: 'unknown_agent', message: 'No such agent' }],
      })
    throw new AgentAtCapacity(claimed.id, claimed.capacity)
  }
  // A reopened ticket whose agent cannot take it back: routing finds it another.
  const { assigneeId: _gone, ...unassigned } = after
  return {
    ticket: unassigned,
    items: [...items, queueItem('assign-ticket', { tenantId, ticketId: after.id, correlationId })],
  }
}
