import { http } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { cancelCampaign } from '../store/campaigns.js'

/** POST /campaigns/{id}/cancel → the cancelled campaign; the running batch stops at its next second. */
export const handler = http(
  routes.cancelCampaign,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const campaign = await cancelCampaign(caller.tenantId, params.id, body?.reason, ifMatch, correlationId)
    return { status: 200, body: campaign, version: campaign.version }
  },
)
