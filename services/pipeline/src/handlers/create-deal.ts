import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { buildDeal, dealCreated } from '../domain/deal.js'
import { assertNoProblems } from '../domain/pipeline.js'
import { http } from '../kit.js'
import * as routes from '../routes/deals.js'
import { saveDeal } from '../store/deals.js'
import { resolvePipeline } from '../store/pipelines.js'
import { getProducts } from '../store/products.js'
import { referenceProblems } from '../store/references.js'

/** POST /deals → 201 + Location + ETag; the deal and Deal.Created are written together. */
export const handler = http(routes.createDeal, async ({ body, caller, correlationId }) => {
  const pipeline = await resolvePipeline(caller.tenantId, body.pipelineId)
  if (!pipeline)
    throw new Invalid([
      { field: 'pipelineId', code: 'unknown_pipeline', message: 'No pipeline with this id' },
    ])
  assertNoProblems(await referenceProblems(caller.tenantId, { contactId: body.contactId }))
  const products = await getProducts(caller.tenantId, body.lineItems?.map((l) => l.productId) ?? [])
  const built = buildDeal(body, {
    id: newId(),
    pipeline,
    products,
    userId: caller.userId,
    now: nowIso(),
  })
  if ('problems' in built) throw new Invalid(built.problems)
  const { deal } = built
  await saveDeal(caller.tenantId, deal, 0, [dealCreated(deal)], correlationId)
  return { status: 201, body: deal, version: deal.version, location: `/deals/${deal.id}` }
})
