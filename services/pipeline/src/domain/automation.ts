/** Deal automation, pure: which rules a stage change fires and the follow-ups they create. */
import type { Activity, AutomationRule } from '@relay/contracts/activities'
import type { Deal } from '@relay/contracts/pipeline'
import { buildActivity } from './activity.js'

const DAY_MS = 86_400_000

/** The rules fired by `deal` entering `stageId` (of its pipeline). */
export const firedRules = (rules: readonly AutomationRule[], deal: Deal, stageId: string) =>
  rules.filter((r) => r.stageId === stageId && (!r.pipelineId || r.pipelineId === deal.pipelineId))

/**
 * The follow-up activities for a deal that just entered a stage: one per fired rule, owned by the
 * deal's owner, linked to the deal, due `dueInDays` after `now` (and reminded before, if asked).
 */
export function followUps(
  rules: readonly AutomationRule[],
  deal: Deal,
  stageId: string,
  ctx: { now: string; newId: () => string; userId: string },
): Activity[] {
  return firedRules(rules, deal, stageId).map((r) => {
    const due = Date.parse(ctx.now) + r.activity.dueInDays * DAY_MS
    const dueAt = new Date(due).toISOString()
    const reminderAt =
      r.activity.remindMinutesBefore !== undefined
        ? new Date(due - r.activity.remindMinutesBefore * 60_000).toISOString()
        : undefined
    return buildActivity(
      {
        type: r.activity.type ?? 'task',
        subject: r.activity.subject,
        relatedTo: { type: 'deal', id: deal.id },
        dueAt,
        ...(reminderAt ? { reminderAt } : {}),
        ownerId: deal.ownerId,
      },
      { id: ctx.newId(), userId: ctx.userId, now: ctx.now },
    )
  })
}
