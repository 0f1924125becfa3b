import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { resolvePipeline } from '../store/pipelines.js'

/** GET /pipelines/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = http({
  roles: READ_ROLES,
  params: IdParams,
  async handle({ params, caller }) {
    const pipeline = await resolvePipeline(caller.tenantId, params.id)
    if (!pipeline) throw notFound('No pipeline with this id.')
    return { status: 200, body: pipeline, version: pipeline.version }
  },
})
