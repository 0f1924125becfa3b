/**
 * Routes: segments (rule trees over the audience projection) and their preview. Reads are for every
 * role; marketers, managers and admins define segments.
 */
import {
  CreateSegment,
  ListSegmentsQuery,
  PreviewRule,
  Segment,
  SegmentIdParams,
  SegmentPage,
  SegmentPreview,
  SegmentPreviewQuery,
  UpdateSegment,
} from '@relay/contracts/campaigns'
import { ANY_ROLE, type Role, route } from '@relay/core/manifest'

/** Who defines the audiences campaigns go to. */
export const MARKETERS: readonly Role[] = ['admin', 'manager', 'marketing']

const example = {
  name: 'Engaged VIPs',
  description: 'VIP customers who opened a campaign in the last 30 days',
  rule: {
    type: 'and',
    rules: [
      { type: 'tag', op: 'hasAny', values: ['vip'] },
      { type: 'lifecycle', op: 'in', values: ['customer'] },
      { type: 'engagement', event: 'opened', op: 'within', days: 30 },
      { type: 'not', rule: { type: 'field', field: 'email', op: 'endsWith', value: '@example.org' } },
    ],
  },
}

export const createSegment = /* @__PURE__ */ route({
  method: 'POST',
  path: '/segments',
  function: 'create-segment',
  roles: MARKETERS,
  summary:
    'Create a segment: an and/or/not rule tree over fields, tags, consent, lifecycle, tier, engagement, custom fields',
  body: CreateSegment,
  example,
  response: { status: 201, schema: Segment },
})

export const listSegments = /* @__PURE__ */ route({
  method: 'GET',
  path: '/segments',
  function: 'list-segments',
  roles: ANY_ROLE,
  summary: 'Segments, newest first',
  query: ListSegmentsQuery,
  response: { status: 200, schema: SegmentPage },
})

export const getSegment = /* @__PURE__ */ route({
  method: 'GET',
  path: '/segments/{id}',
  function: 'get-segment',
  roles: ANY_ROLE,
  params: SegmentIdParams,
  summary: 'One segment (ETag)',
  response: { status: 200, schema: Segment },
})

export const updateSegment = /* @__PURE__ */ route({
  method: 'PATCH',
  path: '/segments/{id}',
  function: 'update-segment',
  roles: MARKETERS,
  params: SegmentIdParams,
  summary: 'Change a segment (If-Match)',
  body: UpdateSegment,
  example: { name: 'Engaged VIPs (EU)' },
  response: { status: 200, schema: Segment },
})

export const deleteSegment = /* @__PURE__ */ route({
  method: 'DELETE',
  path: '/segments/{id}',
  function: 'delete-segment',
  roles: MARKETERS,
  params: SegmentIdParams,
  summary: 'Delete a segment',
  response: { status: 204 },
})

export const previewSegment = /* @__PURE__ */ route({
  method: 'GET',
  path: '/segments/{id}/preview',
  function: 'preview-segment',
  roles: ANY_ROLE,
  params: SegmentIdParams,
  query: SegmentPreviewQuery,
  summary:
    'Who a campaign to the segment would reach now (count and newest members), without anyone lacking email consent or suppressed',
  response: { status: 200, schema: SegmentPreview },
})

export const previewRule = /* @__PURE__ */ route({
  method: 'POST',
  path: '/segments/preview',
  function: 'preview-rule',
  roles: MARKETERS,
  summary: 'Preview a rule tree before saving it: the count and newest members a campaign would reach now',
  body: PreviewRule,
  example: { rule: example.rule, sample: 5 },
  response: { status: 200, schema: SegmentPreview },
})

export const segmentRoutes = [
  createSegment,
  listSegments,
  getSegment,
  updateSegment,
  deleteSegment,
  previewSegment,
  previewRule,
] as const
