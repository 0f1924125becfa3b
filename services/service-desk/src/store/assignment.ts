/**
 * Assignment of one ticket: route it to a queue, pick the agent, and build the write that claims
 * the agent and assigns the ticket together (no access pattern of its own: it reads agents,
 * queues and routing through their stores and writes the ticket through the ticket store).
 */
import { combine, type Work, work } from '@relay/core/work'
import { candidates, HOLDING_STATUSES, qualifies } from '../domain/assignment.js'
import { routeTicket } from '../domain/routing.js'
import type { TicketRecord } from '../domain/ticket.js'
import { pickUpItem } from '../queues.js'
import { allAgents, claimAgentItem, getAgent, releaseAgentItem } from './agents.js'
import { allQueues, getQueue, getRouting } from './queues.js'
import { assignmentWork } from './ticket-changes.js'
import { getTicket, waitingTickets } from './tickets.js'

export type AssignOutcome = 'assigned' | 'queued' | 'unchanged'

/**
 * The routing decision for `ticket` and its Work: the queue (the ticket's own, else the rules'),
 * the least-loaded qualified agent claimed at the load it was chosen on. When the Work fails its
 * conditions (another assignment took that agent's slot, or the ticket changed) the caller retries
 * with fresh reads. No agent free: the ticket is only queued; it waits on the waiting index (gsi7)
 * until an agent has room ({@link planPickUp}). An agent it is taken from picks up a waiting one.
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
        ...(release
          ? [releaseAgentItem(tenantId, release), pickUpItem(tenantId, release, opts.correlationId)]
          : []),
      )
    : undefined
  return {
    outcome: best ? 'assigned' : 'queued',
    ...(best ? { assigneeId: best.id } : {}),
    ...(queueId ? { queueId } : {}),
    work: combine(assign, loads),
  }
}

/** Waiting tickets read per queue on one pick-up (the index lags a little: some may be taken already). */
const PICK_UP_WINDOW = 5

/**
 * One pick-up for an agent that may have room (`{ tenantId, agentId }` on assign-ticket): the
 * first waiting ticket (highest priority, then oldest) of the queues the agent qualifies for and
 * of the unrouted ones, re-read consistently and assigned through {@link planAssignment}, so it goes
 * to the best agent of its queue with the same conditional claim (never over capacity; a ticket
 * assigned meanwhile fails the Work and the message comes back). An assignment asks for the next
 * pick-up in the same Work, so freed capacity is filled one ticket per message until none waits or
 * the agent is full. Nothing waiting or no room: nothing to do.
 */
export async function planPickUp(
  tenantId: string,
  agentId: string,
  opts: { now: string; correlationId: string },
): Promise<{ outcome: AssignOutcome; ticketId?: string; assigneeId?: string; work?: Work }> {
  const agent = await getAgent(tenantId, agentId)
  if (agent?.availability !== 'available' || agent.load >= agent.capacity) return { outcome: 'unchanged' }
  const served = (await allQueues(tenantId)).filter((q) => qualifies(agent, q)).map((q) => q.id)
  const ids = await waitingTickets(tenantId, [...served, undefined], PICK_UP_WINDOW)
  for (const id of ids) {
    const ticket = await getTicket(tenantId, id)
    if (!ticket || ticket.assigneeId || !HOLDING_STATUSES.has(ticket.status)) continue
    const plan = await planAssignment(tenantId, ticket, {
      now: opts.now,
      by: 'system:routing',
      method: 'routing',
      correlationId: opts.correlationId,
    })
    if (plan.outcome !== 'assigned') continue
    return {
      outcome: 'assigned',
      ticketId: id,
      ...(plan.assigneeId ? { assigneeId: plan.assigneeId } : {}),
      work: combine(plan.work, work(pickUpItem(tenantId, agentId, opts.correlationId))),
    }
  }
  return { outcome: 'unchanged' }
}
