import { httpNonPost } from '../kit.js'
import * as routes from '../routes/pipelines.js'
import { listPipelines } from '../store/pipelines.js'

/** GET /pipelines → the tenant's stored pipelines, newest first (the built-in default is at /pipelines/000…0). */
export const handler = httpNonPost(routes.listPipelines, async ({ query, caller }) => {
  return { status: 200, body: await listPipelines(caller.tenantId, query) }
})
