/**
 * Assignment of one ticket: route it to a queue, pick the agent, and build the write that claims
 * the agent and assigns the ticket together (no access pattern of its own: it reads agents,
 * queues and routing through their stores and writes the ticket through the ticket store).
 */
import { combine, type Work, work } from '@relay/core/work'
import { candidates, HOLDING_STATUSES } from '../domain/assignment.js'
import { routeTicket } from '../domain/routing.js'
import type { TicketRecord } from '../domain/ticket.js'
import { allAgents, claimAgentItem, releaseAgentItem } from './agents.js'
import { getQueue, getRouting } from './queues.js'
import { assignmentWork } from './ticket-changes.js'

export type AssignOutcome = 'assigned' | 'queued' | 'unchanged'

/**
 * The routing decision for `ticket` and its Work: the queue (the ticket's own, else the rules'),
 * the least-loaded qualified agent claimed at the load it was chosen on. When the Work fails its
 * conditions (another assignment took that agent's slot, or the ticket changed) the caller retries
 * with fresh reads. No agent free: the ticket is only queued (it waits for a manual assignment).
 */
export async function planAssignment(
  tenantId: string,
  ticket: TicketRecord,
  opts: {
    now: string
    by: string
    method: 'routing' | 'escalation'
    correlationId: string
    queueId?: string
  },
): Promise<{ outcome: AssignOutcome; assigneeId?: string; queueId?: string; work?: Work }> {
  if (!HOLDING_STATUSES.has(ticket.status)) return { outcome: 'unchanged' }
  const [routing, agents] = await Promise.all([getRouting(tenantId), allAgents(tenantId)])
  const queueId = opts.queueId ?? ticket.queueId ?? routeTicket(ticket, routing)?.queueId
  const queue = queueId ? await getQueue(tenantId, queueId) : undefined
  const best = candidates(agents, queue)[0]
  const moved = queueId !== undefined && queueId !== ticket.queueId
  if (!best && !moved) return { outcome: 'unchanged' }
  const release = best && ticket.assigneeId && ticket.assigneeId !== best.id ? ticket.assigneeId : undefined
  const { work: assign } = await assignmentWork(
    tenantId,
    ticket,
    {
      ...(queueId ? { queueId } : {}),
      ...(best ? { assigneeId: best.id } : {}),
      method: opts.method,
      by: opts.by,
      at: opts.now,
    },
    opts.correlationId,
  )
  const loads = best
    ? work(
        claimAgentItem(tenantId, best.id, opts.now, best.load),
        ...(release ? [releaseAgentItem(tenantId, release)] : []),
      )
    : undefined
  return {
    outcome: best ? 'assigned' : 'queued',
    ...(best ? { assigneeId: best.id } : {}),
    ...(queueId ? { queueId } : {}),
    work: combine(assign, loads),
  }
}
