import { isConditionalCheckFailed } from '@relay/core/ddb'
import { nowIso } from '@relay/core/ids'
import { NotFound, StaleVersion, Unprocessable } from '@relay/core/outcomes'
import { AgentAtCapacity, loadChange } from '../domain/assignment.js'
import { ticketChanged } from '../domain/events.js'
import type { TicketRecord } from '../domain/ticket.js'
import { http } from '../kit.js'
import { pickUpItem, queueItem } from '../queues.js'
import * as routes from '../routes/agents.js'
import { agentLoadItems, getAgent } from '../store/agents.js'
import { getQueue } from '../store/queues.js'
import { commitTicketWrite, getTicket } from '../store/tickets.js'

/**
 * POST /tickets/{id}/assignment → 200: to an agent (`agentId`: the agent's load is claimed at
 * once, 409 when at capacity), or to a queue (`queueId` alone: the ticket leaves its agent and the
 * assignment worker gives it to the queue's best agent, outcome `queued`). `Ticket.Assigned`
 * (method `manual`) with the change; the previous agent's load is released in the same transaction,
 * with an `assign-ticket` pick-up for that agent (the oldest waiting ticket it can take).
 */
export const handler = http(routes.reassignTicket, async ({ body, params, caller, correlationId }) => {
  const before = await getTicket(caller.tenantId, params.id)
  if (!before) throw new NotFound('No ticket with this id.')
  const [queue, agent] = await Promise.all([
    body.queueId ? getQueue(caller.tenantId, body.queueId) : undefined,
    body.agentId ? getAgent(caller.tenantId, body.agentId) : undefined,
  ])
  if (body.queueId && !queue)
    throw new Unprocessable('No queue with this id', {
      errors: [{ field: 'queueId', code: 'unknown_queue', message: 'No such queue' }],
    })
  if (body.agentId && !agent)
    throw new Unprocessable('No agent with this id', {
      errors: [{ field: 'agentId', code: 'unknown_agent', message: 'No such agent' }],
    })
  if (before.status === 'closed' || before.status === 'solved')
    throw new Unprocessable('A solved or closed ticket is not reassigned; reopen it first.')
  const now = nowIso()
  const { assigneeId: _a, ...rest } = before
  const after: TicketRecord = {
    ...rest,
    ...(body.queueId ? { queueId: body.queueId } : {}),
    ...(body.agentId ? { assigneeId: body.agentId } : {}),
    ...(body.agentId && before.status === 'new' ? { status: 'open' as const } : {}),
    version: before.version + 1,
    updatedAt: now,
  }
  const unchanged = after.assigneeId === before.assigneeId && after.queueId === before.queueId
  if (unchanged) return { status: 200, body: assignment(before, 'unchanged') }
  // The agent it leaves has a slot again: it picks up a waiting ticket.
  const released = loadChange(before, after).release
  const items = [
    ...agentLoadItems(caller.tenantId, before, after, now),
    ...(released ? [pickUpItem(caller.tenantId, released, correlationId)] : []),
    ...(body.agentId
      ? []
      : [queueItem('assign-ticket', { tenantId: caller.tenantId, ticketId: before.id, correlationId })]),
  ]
  const events = ticketChanged(before, after, { by: caller.userId, at: now, method: 'manual' })
  try {
    await commitTicketWrite(caller.tenantId, { before, after, events, items }, correlationId)
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    const fresh = agent ? await getAgent(caller.tenantId, agent.id) : undefined
    if (fresh && fresh.load >= fresh.capacity) throw new AgentAtCapacity(fresh.id, fresh.capacity)
    throw new StaleVersion('The ticket changed meanwhile; read it again and retry.')
  }
  return {
    status: 200,
    body: assignment(after, body.agentId ? 'assigned' : 'queued'),
    version: after.version,
  }
})

const assignment = (t: TicketRecord, outcome: 'assigned' | 'queued' | 'unchanged') => ({
  ticketId: t.id,
  ...(t.queueId ? { queueId: t.queueId } : {}),
  ...(t.assigneeId ? { assigneeId: t.assigneeId } : {}),
  outcome,
  version: t.version,
})
