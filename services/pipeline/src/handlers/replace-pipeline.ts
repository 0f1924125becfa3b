import { IdParams, PipelineInput } from '@relay/contracts/pipeline'
import { conflict, notFound } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { buildPipeline, stageProblems } from '../domain/pipeline.js'
import { http } from '../http.js'
import { hasDealsInStage } from '../store/deals.js'
import { getPipeline, putPipeline, resolvePipeline } from '../store/pipelines.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/**
 * PUT /pipelines/{id} → 200 + ETag: replaces name and stages (If-Match honoured). A stage that still
 * holds deals cannot be removed (409 naming it): move its deals first.
 */
export const handler = http({
  roles: CONFIG_ROLES,
  params: IdParams,
  body: PipelineInput,
  async handle({ params, body, caller, ifMatch }) {
    const current = await resolvePipeline(caller.tenantId, params.id)
    if (!current) throw notFound('No pipeline with this id.')
    checkIfMatch(ifMatch, current.version)
    assertNoProblems(stageProblems(body.stages))
    const kept = new Set(body.stages.map((s) => s.id))
    const removed = current.stages.filter((s) => !kept.has(s.id)).map((s) => s.id)
    const inUse: string[] = []
    for (const stageId of removed)
      if (await hasDealsInStage(caller.tenantId, current.id, stageId)) inUse.push(stageId)
    if (inUse.length)
      throw conflict(`Stages still holding deals cannot be removed: ${inUse.join(', ')}.`, {
        stagesInUse: inUse,
      })
    const next = buildPipeline(body, { id: current.id, now: nowIso(), previous: current })
    await writeOrExplain(
      async () => current.version === 0 || Boolean(await getPipeline(caller.tenantId, current.id)),
      ifMatch,
      () => putPipeline(caller.tenantId, next, current.version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
