import { httpNonPost } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { requireCampaign } from '../store/campaigns.js'
import { listSends } from '../store/sends.js'

/** GET /campaigns/{id}/sends → a page of its per-recipient send records. */
export const handler = httpNonPost(routes.listSends, async ({ params, query, caller }) => {
  await requireCampaign(caller.tenantId, params.id)
  return { status: 200, body: await listSends(caller.tenantId, params.id, query) }
})
