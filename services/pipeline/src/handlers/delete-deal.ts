import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { dealDeleted } from '../domain/deal.js'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/deals.js'
import { getDeal, removeDeal } from '../store/deals.js'

/** DELETE /deals/{id} → 204, with Deal.Deleted. */
export const handler = httpNonPost(routes.deleteDeal, async ({ params, caller, ifMatch, correlationId }) => {
  const current = await getDeal(caller.tenantId, params.id)
  if (!current) throw new NotFound('No deal with this id.')
  checkVersion(ifMatch, current.version)
  await writeOrExplain(
    () => removeDeal(caller.tenantId, current.id, current.version, [dealDeleted(current)], correlationId),
    async () => Boolean(await getDeal(caller.tenantId, current.id)),
  )
  return { status: 204 }
})
