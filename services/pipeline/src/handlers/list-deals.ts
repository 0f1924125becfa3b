import { assertNoProblems } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/deals.js'
import { listDeals } from '../store/deals.js'

/**
 * GET /deals?pipelineId=&stage=&owner=&status=&closeFrom=&closeTo=&limit=&cursor= → `{ items, nextCursor? }`.
 * By pipeline (and stage), by owner, or all; ordered by stage, or by close date ascending.
 */
export const handler = httpNonPost(routes.listDeals, async ({ query, caller }) => {
  if (query.stage && !query.pipelineId)
    assertNoProblems([
      { field: 'query.stage', code: 'needs_pipeline', message: 'Filter by stage needs pipelineId' },
    ])
  if (query.closeFrom && query.closeTo && query.closeFrom > query.closeTo)
    assertNoProblems([{ field: 'query.closeTo', code: 'range', message: 'closeTo comes before closeFrom' }])
  return { status: 200, body: await listDeals(caller.tenantId, query) }
})
