import { nowIso } from '@relay/core/ids'
import { composeMime, mailFrom, sendRawEmail } from '@relay/core/mail'
import { escalationsFor, raisedPriority } from '../domain/sla.js'
import { worker } from '../kit.js'
import { SlaEscalationMessage } from '../queues.js'
import { planAssignment } from '../store/assignment.js'
import { asSlaPolicy, getPolicy } from '../store/policies.js'
import { patchTicket } from '../store/ticket-changes.js'
import { getTicket } from '../store/tickets.js'

/**
 * `sla-escalations` (SQS), sent with a breach whose policy has rules for its target: applies them.
 *
 * | rule            | effect                                                                     |
 * | --------------- | -------------------------------------------------------------------------- |
 * | `raisePriority` | one step above the priority AT THE BREACH (a redelivery raises no further); the clocks retime |
 * | `queueId`       | the ticket moves to that queue and its best agent takes it (method `escalation`) |
 * | `notify`        | an email to each address (after the ticket changes, once; a failed send is logged) |
 *
 * A ticket solved, closed or gone meanwhile is left alone.
 */
export const handler = worker(
  'sla-escalations',
  SlaEscalationMessage,
  async (m, { logger, receiveCount }) => {
    const [ticket, stored] = await Promise.all([
      getTicket(m.tenantId, m.ticketId),
      getPolicy(m.tenantId, m.policyId),
    ])
    if (!ticket || !stored || ticket.status === 'solved' || ticket.status === 'closed') return undefined
    const rules = escalationsFor(asSlaPolicy(stored), m.target)
    const raise = rules.some((r) => r.raisePriority)
    const queueId = rules
      .map((r) => r.queueId)
      .filter((q): q is string => Boolean(q))
      .pop()
    const notify = [...new Set(rules.flatMap((r) => r.notify ?? []))]
    const priority = raisedPriority(m.priorityAtBreach)
    let current = ticket
    if (raise && priority !== ticket.priority && ticket.priority === m.priorityAtBreach) {
      current = await patchTicket(
        m.tenantId,
        ticket.id,
        { priority },
        { actorId: 'system:sla', correlationId: m.correlationId },
      )
    }
    // Mail first goes on the first delivery only: a redelivered message has done its sending.
    if (notify.length && receiveCount === 1) {
      try {
        const { raw } = await composeMime({
          from: mailFrom(),
          to: notify,
          subject: `SLA breached: ${current.subject} (${m.target.replace('_', ' ')})`,
          text: [
            `Ticket ${current.id} "${current.subject}" breached its ${m.target.replace('_', ' ')} target.`,
            `Priority: ${current.priority}${raise ? ` (raised from ${m.priorityAtBreach})` : ''}.`,
            queueId ? `Moved to queue ${queueId}.` : '',
          ]
            .filter(Boolean)
            .join('\n'),
          headers: { 'X-Relay-Ticket': current.id },
        })
        await sendRawEmail(raw, { tags: { kind: 'sla-escalation' } })
      } catch (err) {
        logger.error('Escalation email failed', { ticketId: current.id, error: err as Error })
      }
    }
    if (!queueId || current.queueId === queueId) return undefined
    const plan = await planAssignment(m.tenantId, current, {
      now: nowIso(),
      by: 'system:sla',
      method: 'escalation',
      correlationId: m.correlationId,
      queueId,
    })
    return plan.work
  },
)
