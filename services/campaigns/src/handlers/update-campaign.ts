import { httpNonPost } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { updateDraft } from '../store/campaigns.js'

/** PATCH /campaigns/{id} (If-Match) → the draft as saved; 409 once it is scheduled. */
export const handler = httpNonPost(routes.updateCampaign, async ({ params, body, caller, ifMatch }) => {
  const campaign = await updateDraft(caller.tenantId, params.id, body, ifMatch)
  return { status: 200, body: campaign, version: campaign.version }
})
