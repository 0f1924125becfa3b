import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { leadDeleted } from '../domain/lead.js'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/leads.js'
import { getLead, removeLead } from '../store/leads.js'

/** DELETE /leads/{id} → 204, with Lead.Deleted. */
export const handler = httpNonPost(routes.deleteLead, async ({ params, caller, ifMatch, correlationId }) => {
  const current = await getLead(caller.tenantId, params.id)
  if (!current) throw new NotFound('No lead with this id.')
  checkVersion(ifMatch, current.version)
  await writeOrExplain(
    () => removeLead(caller.tenantId, current.id, current.version, [leadDeleted(current)], correlationId),
    async () => Boolean(await getLead(caller.tenantId, current.id)),
  )
  return { status: 204 }
})
