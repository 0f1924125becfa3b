import { seededRng } from '../domain/bandit.js'
import { campaignReport } from '../domain/report.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/reports.js'
import { requireCampaign } from '../store/campaigns.js'
import { variantCounters } from '../store/metrics.js'
import { getAbState } from '../store/variants.js'

/**
 * GET /campaigns/{id}/report → the counters of every variant (kept from the campaign's events),
 * the totals, and where the A/B test stands. P(best) is estimated with draws seeded by the
 * campaign, so two reads of the same numbers show the same figures.
 */
export const handler = httpNonPost(routes.getCampaignReport, async ({ params, caller }) => {
  const campaign = await requireCampaign(caller.tenantId, params.id)
  const [counters, state] = await Promise.all([
    variantCounters(
      caller.tenantId,
      campaign.id,
      campaign.variants.map((v) => v.id),
    ),
    getAbState(caller.tenantId, campaign.id),
  ])
  // The test slice is a share of the audience counted when the send began (kept in the A/B state).
  const reported = state.recipients !== undefined ? { ...campaign, recipients: state.recipients } : campaign
  return { status: 200, body: campaignReport(reported, counters, state, seededRng(campaign.id)) }
})
