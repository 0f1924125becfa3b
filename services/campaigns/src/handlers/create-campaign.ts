import { http } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { insertCampaign } from '../store/campaigns.js'

/** POST /campaigns → 201 draft. Its segment and templates are checked when it is scheduled. */
export const handler = http(routes.createCampaign, async ({ body, caller }) => {
  const campaign = await insertCampaign(caller.tenantId, body, caller.userId)
  return { status: 201, body: campaign, version: campaign.version, location: `/campaigns/${campaign.id}` }
})
