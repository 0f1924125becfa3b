import { PipelineInput } from '@relay/contracts/pipeline'
import { newId, nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { buildPipeline, stageProblems } from '../domain/pipeline.js'
import { http } from '../http.js'
import { putPipeline } from '../store/pipelines.js'
import { assertNoProblems } from '../support.js'

/** POST /pipelines → 201 + Location; stages checked (unique ids, order, one won and one lost stage). */
export const handler = http({
  roles: CONFIG_ROLES,
  body: PipelineInput,
  async handle({ body, caller }) {
    assertNoProblems(stageProblems(body.stages))
    const pipeline = buildPipeline(body, { id: newId(), now: nowIso() })
    await putPipeline(caller.tenantId, pipeline, 0)
    return { status: 201, body: pipeline, version: pipeline.version, location: `/pipelines/${pipeline.id}` }
  },
})
