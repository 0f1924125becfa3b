/**
 * Journey routes: event-triggered sequences (waits, conditions, sends, exits) and the contacts'
 * runs of them. WRITERS define journeys (marketing is among them), ANY_ROLE reads.
 */
import {
  CreateJourney,
  Journey,
  JourneyEnrolmentPage,
  JourneyIdParams,
  JourneyPage,
  UpdateJourney,
} from '@relay/contracts/campaigns'
import { PaginationQuery } from '@relay/contracts/common'
import { ANY_ROLE, route, WRITERS } from '@relay/core/manifest'

// A template id; the send step is checked when it runs (a template deleted since is skipped).
const EXAMPLE_TEMPLATE = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

export const createJourney = /* @__PURE__ */ route({
  method: 'POST',
  path: '/journeys',
  function: 'create-journey',
  roles: WRITERS,
  summary:
    'Create a journey: a trigger event (e.g. crm.contacts Contact.Created, crm.campaigns Contact.Inactive), steps (wait, condition, send), exit events; each contact once unless allowReentry',
  body: CreateJourney,
  example: {
    name: 'Welcome series',
    trigger: { source: 'crm.contacts', detailType: 'Contact.Created' },
    steps: [
      { type: 'send', templateId: EXAMPLE_TEMPLATE },
      { type: 'wait', minutes: 4320 },
      { type: 'condition', rule: { type: 'engagement', event: 'opened', op: 'notWithin', days: 3 } },
      { type: 'send', templateId: EXAMPLE_TEMPLATE },
    ],
    exitOn: [{ source: 'crm.pipeline', detailType: 'Deal.Won' }],
  },
  response: { status: 201, schema: Journey },
})

export const listJourneys = /* @__PURE__ */ route({
  method: 'GET',
  path: '/journeys',
  function: 'list-journeys',
  roles: ANY_ROLE,
  query: PaginationQuery,
  summary: 'The tenant’s journeys, newest first',
  response: { status: 200, schema: JourneyPage },
})

export const getJourney = /* @__PURE__ */ route({
  method: 'GET',
  path: '/journeys/{id}',
  function: 'get-journey',
  roles: ANY_ROLE,
  params: JourneyIdParams,
  summary: 'Read a journey',
  response: { status: 200, schema: Journey },
})

export const updateJourney = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/journeys/{id}',
  function: 'update-journey',
  roles: WRITERS,
  params: JourneyIdParams,
  body: UpdateJourney,
  summary:
    'Rename, pause or resume a journey, or allow re-entry (If-Match); paused runs leave at their next step',
  example: { status: 'paused' },
  response: { status: 200, schema: Journey },
})

export const listJourneyRuns = /* @__PURE__ */ route({
  method: 'GET',
  path: '/journeys/{id}/runs',
  function: 'list-journey-runs',
  roles: ANY_ROLE,
  params: JourneyIdParams,
  query: PaginationQuery,
  summary: "A journey's contacts: each run's status, step and the emails it sent, newest first",
  response: { status: 200, schema: JourneyEnrolmentPage },
})

export const journeyRoutes = [
  createJourney,
  listJourneys,
  getJourney,
  updateJourney,
  listJourneyRuns,
] as const
