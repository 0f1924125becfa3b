import { httpNonPost } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { listCampaigns } from '../store/campaigns.js'

/** GET /campaigns → a page, newest first. */
export const handler = httpNonPost(routes.listCampaigns, async ({ query, caller }) => ({
  status: 200,
  body: await listCampaigns(caller.tenantId, query),
}))
