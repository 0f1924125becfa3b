/**
 * Routing, pure: which queue a new ticket goes to. Rules are read in order; the first whose every
 * given condition holds names the queue, else the default queue, else none (the ticket stays
 * unqueued and unassigned until someone routes it).
 *
 * | condition  | holds when                                                    |
 * | ---------- | ------------------------------------------------------------- |
 * | `channel`  | the ticket came through that channel                          |
 * | `priority` | the ticket has that priority                                  |
 * | `type`     | the ticket is of that type                                    |
 * | `category` | the ticket's category is it or below it (`billing` ⊇ `billing/refund`) |
 * | `tag`      | the ticket carries that tag                                   |
 */
import type { Ticket } from '@relay/contracts/service-desk'

/** A rule as stored (the contract's `RoutingRule`, its enums as strings). */
export interface RoutingRule {
  channel?: string | undefined
  priority?: string | undefined
  type?: string | undefined
  category?: string | undefined
  tag?: string | undefined
  queueId: string
}

export interface RoutingSettings {
  rules: readonly RoutingRule[]
  defaultQueueId?: string | undefined
}

type Routable = Pick<Ticket, 'channel' | 'priority' | 'type' | 'category' | 'tags'>

/** Whether every condition a rule gives holds for the ticket. */
export function ruleMatches(rule: RoutingRule, t: Routable): boolean {
  if (rule.channel && rule.channel !== t.channel) return false
  if (rule.priority && rule.priority !== t.priority) return false
  if (rule.type && rule.type !== t.type) return false
  if (rule.category && !(t.category === rule.category || t.category?.startsWith(`${rule.category}/`)))
    return false
  if (rule.tag && !t.tags.includes(rule.tag)) return false
  return true
}

/** The queue of a ticket: the first matching rule's, else the default; with the rule's index. */
export function routeTicket(
  t: Routable,
  settings: RoutingSettings,
): { queueId: string; ruleIndex?: number } | undefined {
  const i = settings.rules.findIndex((r) => ruleMatches(r, t))
  const rule = settings.rules[i]
  if (rule) return { queueId: rule.queueId, ruleIndex: i }
  return settings.defaultQueueId ? { queueId: settings.defaultQueueId } : undefined
}

/** Problems of a rule set: every queue it names must exist. */
export function routingProblems(settings: RoutingSettings, queueIds: ReadonlySet<string>) {
  const problems: { field: string; code: string; message: string }[] = []
  settings.rules.forEach((r, i) => {
    if (!queueIds.has(r.queueId))
      problems.push({ field: `rules.${i}.queueId`, code: 'unknown_queue', message: `No queue ${r.queueId}` })
  })
  if (settings.defaultQueueId && !queueIds.has(settings.defaultQueueId))
    problems.push({
      field: 'defaultQueueId',
      code: 'unknown_queue',
      message: `No queue ${settings.defaultQueueId}`,
    })
  return problems
}
