import { nowIso } from '@relay/core/ids'
import { worker } from '../kit.js'
import { AssignTicketMessage } from '../queues.js'
import { planAssignment } from '../store/assignment.js'
import { getTicket } from '../store/tickets.js'

/**
 * `assign-ticket` (SQS) `{ tenantId, ticketId }`, sent with every new ticket created without an
 * agent: routes it to a queue by the tenant's rules and gives it to the least-loaded available
 * agent with the queue's skills and language (round-robin among equal loads), in one transaction
 * with that agent's conditional load increment. Two workers that chose the same agent on the same
 * load cannot both commit: the loser's message fails and comes back (fresh reads then), so no
 * agent ever goes over capacity. A ticket assigned, solved or gone meanwhile is left alone.
 */
export const handler = worker(
  'assign-ticket',
  AssignTicketMessage,
  async ({ tenantId, ticketId, correlationId }, { logger }) => {
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
  },
)
