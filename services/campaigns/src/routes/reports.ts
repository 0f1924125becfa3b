/** Campaign reports: each variant's numbers and the A/B decision. ANY_ROLE reads. */
import { CampaignIdParams, CampaignReport } from '@relay/contracts/campaigns'
import { ANY_ROLE, route } from '@relay/core/manifest'

export const getCampaignReport = /* @__PURE__ */ route({
  method: 'GET',
  path: '/campaigns/{id}/report',
  function: 'get-campaign-report',
  roles: ANY_ROLE,
  params: CampaignIdParams,
  summary:
    "A campaign's numbers per variant and in total (sent, delivered, unique opens and clicks, CTR, unsubscribes, bounces, complaints, attributed conversions and revenue) and its A/B decision",
  response: { status: 200, schema: CampaignReport },
})

export const reportRoutes = [getCampaignReport] as const
