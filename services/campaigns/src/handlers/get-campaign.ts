import { httpNonPost } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { requireCampaign, toCampaign } from '../store/campaigns.js'

/** GET /campaigns/{id} → the campaign with its progress, ETag its version. */
export const handler = httpNonPost(routes.getCampaign, async ({ params, caller }) => {
  const campaign = toCampaign(await requireCampaign(caller.tenantId, params.id))
  return { status: 200, body: campaign, version: campaign.version }
})
