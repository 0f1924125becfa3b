import { nowIso } from '@relay/core/ids'
import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import {
  assertNoProblems,
  buildPipeline,
  checkVersion,
  StagesInUse,
  stageProblems,
} from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/pipelines.js'
import { hasDealsInStage } from '../store/deals.js'
import { getPipeline, putPipeline, resolvePipeline } from '../store/pipelines.js'

/**
 * PUT /pipelines/{id} → 200 + ETag: replaces name and stages (If-Match honoured). A stage that still
 * holds deals cannot be removed (409 naming it): move its deals first.
 */
export const handler = httpNonPost(routes.replacePipeline, async ({ params, body, caller, ifMatch }) => {
  const current = await resolvePipeline(caller.tenantId, params.id)
  if (!current) throw new NotFound('No pipeline with this id.')
  checkVersion(ifMatch, current.version)
  assertNoProblems(stageProblems(body.stages))
  const kept = new Set(body.stages.map((s) => s.id))
  const removed = current.stages.filter((s) => !kept.has(s.id)).map((s) => s.id)
  const inUse: string[] = []
  for (const stageId of removed)
    if (await hasDealsInStage(caller.tenantId, current.id, stageId)) inUse.push(stageId)
  if (inUse.length) throw new StagesInUse(inUse)
  const next = buildPipeline(body, { id: current.id, now: nowIso(), previous: current })
  await writeOrExplain(
    () => putPipeline(caller.tenantId, next, current.version),
    async () => current.version === 0 || Boolean(await getPipeline(caller.tenantId, current.id)),
  )
  return { status: 200, body: next, version: next.version }
})
