import { DEAL_EVENT, IdParams, MoveDealStage } from '@relay/contracts/pipeline'
import { conflict, notFound } from '@relay/core/errors'
import { newId, nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { followUps } from '../domain/automation.js'
import { moveDealStage } from '../domain/deal.js'
import type { EventSpec } from '../domain/events.js'
import { http } from '../http.js'
import { activityPut } from '../store/activities.js'
import { getDeal, saveDeal } from '../store/deals.js'
import { resolvePipeline } from '../store/pipelines.js'
import { automations } from '../store/settings.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/**
 * POST /deals/{id}/stage `{ stageId, reason? }` → 200 + ETag. Records who moved it and when;
 * publishes Deal.StageChanged, plus Deal.Won or Deal.Lost on reaching a closing stage (the lost
 * stage needs a reason). Moving to the current stage changes nothing. The tenant's automation rules
 * for the stage entered add follow-up activities in the same transaction.
 */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  body: MoveDealStage,
  async handle({ params, body, caller, ifMatch, correlationId }) {
    const current = await getDeal(caller.tenantId, params.id)
    if (!current) throw notFound('No deal with this id.')
    checkIfMatch(ifMatch, current.version)
    const pipeline = await resolvePipeline(caller.tenantId, current.pipelineId)
    if (!pipeline) throw conflict('The pipeline of this deal no longer exists.')
    const moved = moveDealStage(current, pipeline, body, { userId: caller.userId, now: nowIso() })
    if (!moved) return { status: 200, body: current, version: current.version }
    if ('problems' in moved) return assertNoProblems(moved.problems) as never
    const { deal } = moved
    const specs: EventSpec[] = [
      {
        detailType: DEAL_EVENT.stageChanged,
        data: {
          id: deal.id,
          version: deal.version,
          pipelineId: deal.pipelineId,
          fromStageId: moved.fromStageId,
          toStageId: moved.toStageId,
          changedBy: caller.userId,
          msInPreviousStage: moved.msInPreviousStage,
        },
      },
    ]
    if (moved.outcome)
      specs.push({
        detailType: moved.outcome === 'won' ? DEAL_EVENT.won : DEAL_EVENT.lost,
        data: { deal, ...(body.reason ? { reason: body.reason } : {}) },
      })
    // Automation: follow-ups for the stage entered commit with the stage change, or not at all.
    const { rules } = await automations(caller.tenantId)
    const tasks = followUps(rules, deal, moved.toStageId, {
      now: deal.updatedAt,
      newId,
      userId: caller.userId,
    })
    await writeOrExplain(
      async () => Boolean(await getDeal(caller.tenantId, current.id)),
      ifMatch,
      () =>
        saveDeal(
          caller.tenantId,
          deal,
          current.version,
          specs,
          correlationId,
          tasks.map((t) => activityPut(caller.tenantId, t)),
        ),
    )
    return { status: 200, body: deal, version: deal.version }
  },
})
