import { newId, nowIso } from '@relay/core/ids'
import { assertNoProblems, buildPipeline, stageProblems } from '../domain/pipeline.js'
import { http } from '../kit.js'
import * as routes from '../routes/pipelines.js'
import { putPipeline } from '../store/pipelines.js'

/** POST /pipelines → 201 + Location; stages checked (unique ids, order, one won and one lost stage). */
export const handler = http(routes.createPipeline, async ({ body, caller }) => {
  assertNoProblems(stageProblems(body.stages))
  const pipeline = buildPipeline(body, { id: newId(), now: nowIso() })
  await putPipeline(caller.tenantId, pipeline, 0)
  return { status: 201, body: pipeline, version: pipeline.version, location: `/pipelines/${pipeline.id}` }
})
