/**
 * Assignment, pure: which agents may take a ticket of a queue, and in which order to try them.
 *
 * | step       | rule                                                                           |
 * | ---------- | ------------------------------------------------------------------------------ |
 * | eligible   | `available`, below capacity, has every skill the queue needs, speaks its language |
 * | order      | least load first; among equal loads the one assigned longest ago (never first): round-robin |
 * | tie-break  | agent id, so two readers of the same agents order them the same way              |
 *
 * The order is a preference only: the store claims the first agent with a conditional increment
 * (`load` still what was read, and below capacity), so concurrent assignments never push an agent
 * over capacity, and one that lost the race re-reads and tries again.
 */
import type { Agent, Queue } from '@relay/contracts/service-desk-sla'
import { Conflict } from '@relay/core/outcomes'

/** The agent holds as many open tickets as its capacity allows (409). */
export class AgentAtCapacity extends Conflict {
  constructor(agentId: string, capacity: number) {
    super('The agent is at capacity; pick another agent or a queue.', { agentId, capacity })
  }
}

export type AgentView = Pick<
  Agent,
  'id' | 'skills' | 'languages' | 'capacity' | 'availability' | 'load' | 'lastAssignedAt'
>

/** Whether an agent has what a queue's tickets need (skills, language), whatever their load. */
export function qualifies(agent: AgentView, queue: Pick<Queue, 'skills' | 'language'> | undefined): boolean {
  if (!queue) return true
  if (!queue.skills.every((s) => agent.skills.includes(s))) return false
  return !queue.language || agent.languages.includes(queue.language)
}

/** The agents that may take a ticket of `queue` now, best first. */
export function candidates<A extends AgentView>(
  agents: readonly A[],
  queue: Pick<Queue, 'skills' | 'language'> | undefined,
): A[] {
  return agents
    .filter((a) => a.availability === 'available' && a.load < a.capacity && qualifies(a, queue))
    .sort(
      (a, b) =>
        a.load - b.load ||
        (a.lastAssignedAt ?? '').localeCompare(b.lastAssignedAt ?? '') ||
        a.id.localeCompare(b.id),
    )
}

/** Statuses in which a ticket counts towards its agent's load. */
export const HOLDING_STATUSES: ReadonlySet<string> = new Set(['new', 'open', 'pending', 'on_hold'])

/** Whose load a ticket change moves: the agent released and the agent claimed (either may be absent). */
export function loadChange(
  before: { assigneeId?: string | undefined; status: string } | undefined,
  after: { assigneeId?: string | undefined; status: string },
): { release?: string; claim?: string } {
  const held = before?.assigneeId && HOLDING_STATUSES.has(before.status) ? before.assigneeId : undefined
  const holds = after.assigneeId && HOLDING_STATUSES.has(after.status) ? after.assigneeId : undefined
  if (held === holds) return {}
  return { ...(held ? { release: held } : {}), ...(holds ? { claim: holds } : {}) }
}

type Room = Pick<AgentView, 'skills' | 'languages' | 'capacity' | 'availability'>

/**
 * Whether a new or edited agent may take tickets it could not before (so waiting ones are offered
 * to it): available now, and new, back from away, with more capacity, or with new skills or
 * languages (which open queues to it).
 */
export function gainsRoom(before: Room | undefined, after: Room): boolean {
  if (after.availability !== 'available' || after.capacity <= 0) return false
  if (!before) return true
  return (
    before.availability !== 'available' ||
    after.capacity > before.capacity ||
    after.skills.some((s) => !before.skills.includes(s)) ||
    after.languages.some((l) => !before.languages.includes(l))
  )
}
