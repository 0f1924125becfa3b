import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/pipelines.js'
import { resolvePipeline } from '../store/pipelines.js'

/** GET /pipelines/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getPipeline, async ({ params, caller }) => {
  const pipeline = await resolvePipeline(caller.tenantId, params.id)
  if (!pipeline) throw new NotFound('No pipeline with this id.')
  return { status: 200, body: pipeline, version: pipeline.version }
})
