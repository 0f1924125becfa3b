import { nowIso } from '@relay/core/ids'
import { worker } from '../kit.js'
import { AssignTicketMessage } from '../queues.js'
import { planAssignment, planPickUp } from '../store/assignment.js'
import { getTicket } from '../store/tickets.js'

/**
 * `assign-ticket` (SQS) `{ tenantId, ticketId }`, sent with every new ticket created without an
 * agent: routes it to a queue by the tenant's rules and gives it to the least-loaded available
 * agent with the queue's skills and language (round-robin among equal loads), in one transaction
 * with that agent's conditional load increment. Two workers that chose the same agent on the same
 * load cannot both commit: the loser's message fails and comes back (fresh reads then), so no
 * agent ever goes over capacity. A ticket assigned, solved or gone meanwhile is left alone.
 *
 * `{ tenantId, agentId }`, sent with every write that may give an agent room (a ticket released,
 * capacity raised, back available, new skills, a new agent): the oldest waiting ticket of the
 * queues it serves is assigned the same way (store/assignment.ts `planPickUp`), and the next
 * pick-up asked for with it. A redelivered message is dropped by its id.
 */
export const handler = worker('assign-ticket', AssignTicketMessage, async (message, { logger }) => {
  if ('agentId' in message) {
    const plan = await planPickUp(message.tenantId, message.agentId, {
      now: nowIso(),
      correlationId: message.correlationId,
    })
    logger.info('Waiting ticket picked up', {
      agentId: message.agentId,
      outcome: plan.outcome,
      ticketId: plan.ticketId,
      assigneeId: plan.assigneeId,
    })
    return plan.work
  }
  const { tenantId, ticketId, correlationId } = message
  const ticket = await getTicket(tenantId, ticketId)
  if (!ticket || ticket.assigneeId) return undefined
  const plan = await planAssignment(tenantId, ticket, {
    now: nowIso(),
    by: 'system:routing',
    method: 'routing',
    correlationId,
  })
  logger.info('Ticket routed', {
    ticketId,
    outcome: plan.outcome,
    queueId: plan.queueId,
    assigneeId: plan.assigneeId,
  })
  return plan.work
})
