import { newId, nowIso } from '@relay/core/ids'
import { Invalid, NotFound, writeOrExplain } from '@relay/core/outcomes'
import { followUps } from '../domain/automation.js'
import { moveDealStage, stageMoveEvents } from '../domain/deal.js'
import { checkVersion, PipelineGone } from '../domain/pipeline.js'
import { http } from '../kit.js'
import * as routes from '../routes/deals.js'
import { activityPut } from '../store/activities.js'
import { getDeal, saveDeal } from '../store/deals.js'
import { resolvePipeline } from '../store/pipelines.js'
import { automations } from '../store/settings.js'

/**
 * POST /deals/{id}/stage `{ stageId, reason? }` → 200 + ETag. Records who moved it and when;
 * publishes Deal.StageChanged, plus Deal.Won or Deal.Lost on reaching a closing stage (the lost
 * stage needs a reason). Moving to the current stage changes nothing. The tenant's automation rules
 * for the stage entered add follow-up activities in the same transaction.
 */
export const handler = http(
  routes.moveDealStage,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const current = await getDeal(caller.tenantId, params.id)
    if (!current) throw new NotFound('No deal with this id.')
    checkVersion(ifMatch, current.version)
    const pipeline = await resolvePipeline(caller.tenantId, current.pipelineId)
    if (!pipeline) throw new PipelineGone()
    const moved = moveDealStage(current, pipeline, body, { userId: caller.userId, now: nowIso() })
    if (!moved) return { status: 200, body: current, version: current.version }
    if ('problems' in moved) throw new Invalid(moved.problems)
    const { deal } = moved
    // Automation: follow-ups for the stage entered commit with the stage change, or not at all.
    const { rules } = await automations(caller.tenantId)
    const tasks = followUps(rules, deal, moved.toStageId, {
      now: deal.updatedAt,
      newId,
      userId: caller.userId,
    })
    await writeOrExplain(
      () =>
        saveDeal(
          caller.tenantId,
          deal,
          current.version,
          stageMoveEvents(moved, { userId: caller.userId, reason: body.reason }),
          correlationId,
          tasks.map((t) => activityPut(caller.tenantId, t)),
        ),
      async () => Boolean(await getDeal(caller.tenantId, current.id)),
    )
    return { status: 200, body: deal, version: deal.version }
  },
)
