import type { Activity } from '@relay/contracts/activities'
import { nowIso } from '@relay/core/ids'
import { NotFound } from '@relay/core/outcomes'
import { dealInsights, MIN_CLOSED_DEALS } from '../domain/insights.js'
import { PipelineGone } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/deals.js'
import { activitiesOfDeal } from '../store/activities.js'
import { closedDealsOf, getDeal } from '../store/deals.js'
import { resolvePipeline } from '../store/pipelines.js'

/** Runs `fn` over `items` with at most `limit` at a time, keeping order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

/**
 * GET /deals/{id}/insights → the probability the deal is won, learned from the tenant's closed
 * deals of the same pipeline (logistic regression, see the README), with its top factors; with too
 * little history, the stage probability and why (`method: 'stage-probability'`).
 */
export const handler = httpNonPost(routes.getDealInsights, async ({ params, caller }) => {
  const t = caller.tenantId
  const deal = await getDeal(t, params.id)
  if (!deal) throw new NotFound('No deal with this id.')
  const pipeline = await resolvePipeline(t, deal.pipelineId)
  if (!pipeline) throw new PipelineGone()
  const outcomes = pipeline.stages.filter((s) => s.outcome).map((s) => s.id)
  const closed = deal.status === 'open' ? await closedDealsOf(t, deal.pipelineId, outcomes) : []
  // Activities are only read when the model will be trained.
  const enough = closed.length >= MIN_CLOSED_DEALS
  const [activities, ...perDeal] = await mapLimited<string, Activity[]>(
    [deal.id, ...(enough ? closed.map((d) => d.id) : [])],
    16,
    (id) => activitiesOfDeal(t, id),
  )
  const body = dealInsights({
    deal,
    pipeline,
    activities: activities ?? [],
    history: closed.map((d, i) => ({ deal: d, activities: perDeal[i] ?? [] })),
    now: nowIso(),
  })
  return { status: 200, body }
})
