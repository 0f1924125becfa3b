/**
 * Campaign routes: drafts, their lifecycle (schedule, cancel) and the per-recipient sends.
 * WRITERS run campaigns (marketing is among them), ANY_ROLE reads. Each declaration is marked pure.
 */
import { CampaignListQuery, CancelCampaign, SendPage } from '@relay/contracts/campaign-sends'
import {
  Campaign,
  CampaignIdParams,
  CampaignPage,
  CreateCampaign,
  ScheduleCampaign,
  UpdateCampaign,
} from '@relay/contracts/campaigns'
import { PaginationQuery } from '@relay/contracts/common'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

// The e2e suites seed a segment and a template first (their examples), then replace these ids.
const EXAMPLE_ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

export const createCampaign = /* @__PURE__ */ route({
  method: 'POST',
  path: '/campaigns',
  function: 'create-campaign',
  roles: WRITERS,
  summary:
    'Create a draft campaign: a segment, one variant (or 2 to 5 for an A/B test) each naming a template (checked when it is scheduled)',
  body: CreateCampaign,
  example: {
    name: 'Spring offer 2026',
    segmentId: EXAMPLE_ID,
    variants: [{ name: 'A', templateId: EXAMPLE_ID }],
    fromName: 'Relay Shop',
  },
  response: { status: 201, schema: Campaign },
})

export const listCampaigns = /* @__PURE__ */ route({
  method: 'GET',
  path: '/campaigns',
  function: 'list-campaigns',
  roles: ANY_ROLE,
  summary: "The tenant's campaigns, newest first (status filters)",
  query: CampaignListQuery,
  response: { status: 200, schema: CampaignPage },
})

export const getCampaign = /* @__PURE__ */ route({
  method: 'GET',
  path: '/campaigns/{id}',
  function: 'get-campaign',
  roles: ANY_ROLE,
  params: CampaignIdParams,
  summary: 'Read a campaign, with its send progress',
  response: { status: 200, schema: Campaign },
})

export const updateCampaign = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/campaigns/{id}',
  function: 'update-campaign',
  roles: WRITERS,
  params: CampaignIdParams,
  summary: 'Change a draft (If-Match; null clears fromName or replyTo)',
  body: UpdateCampaign,
  example: { name: 'Spring offer 2026 (final)' },
  errors: { 409: 'The campaign is no longer a draft' },
  response: { status: 200, schema: Campaign },
})

export const scheduleCampaign = /* @__PURE__ */ route({
  method: 'POST',
  path: '/campaigns/{id}/schedule',
  function: 'schedule-campaign',
  roles: WRITERS,
  params: CampaignIdParams,
  summary:
    'Schedule a draft to send at `at` (now when absent); it sends in batches within the tenant sending rate',
  body: ScheduleCampaign,
  example: {},
  errors: {
    409: 'The campaign is no longer a draft',
    422: 'Its segment or a template its variants name does not exist',
  },
  response: { status: 200, schema: Campaign },
})

export const cancelCampaign = /* @__PURE__ */ route({
  method: 'POST',
  path: '/campaigns/{id}/cancel',
  function: 'cancel-campaign',
  roles: WRITERS,
  params: CampaignIdParams,
  summary: 'Cancel a scheduled or sending campaign: no further email goes out (what was sent stays sent)',
  body: CancelCampaign,
  example: { reason: 'Wrong segment' },
  errors: { 409: 'The campaign is a draft, sent or cancelled already' },
  response: { status: 200, schema: Campaign },
})

export const listSends = /* @__PURE__ */ route({
  method: 'GET',
  path: '/campaigns/{id}/sends',
  function: 'list-sends',
  roles: ANY_ROLE,
  params: CampaignIdParams,
  summary: "A campaign's per-recipient sends: status, SES message id, opens, clicks, unsubscribe, feedback",
  query: PaginationQuery,
  response: { status: 200, schema: SendPage },
})

/** In the order the API documentation lists them. */
export const campaignRoutes = [
  createCampaign,
  listCampaigns,
  getCampaign,
  updateCampaign,
  scheduleCampaign,
  cancelCampaign,
  listSends,
]
