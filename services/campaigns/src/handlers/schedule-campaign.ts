import { NotFound, Unprocessable } from '@relay/core/outcomes'
import { http } from '../kit.js'
import * as routes from '../routes/campaigns.js'
import { requireCampaign, scheduleCampaign } from '../store/campaigns.js'
import { requireSegment } from '../store/segments.js'
import { getTemplate } from '../store/templates.js'

/**
 * POST /campaigns/{id}/schedule (If-Match optional) → the scheduled campaign. Its segment and every
 * variant's template must exist (422 otherwise); the send starts at `at` (now when absent) on the
 * work queue.
 */
export const handler = http(
  routes.scheduleCampaign,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const tenantId = caller.tenantId
    const draft = await requireCampaign(tenantId, params.id)
    const [segment, templates] = await Promise.all([
      requireSegment(tenantId, draft.segmentId).catch((err) => {
        if (err instanceof NotFound) return undefined
        throw err
      }),
      Promise.all(draft.variants.map((v) => getTemplate(tenantId, v.templateId))),
    ])
    const missing = [
      ...(segment ? [] : [{ field: 'segmentId', code: 'not_found', message: 'No segment with this id' }]),
      ...templates.flatMap((t, i) =>
        t
          ? []
          : [{ field: `variants.${i}.templateId`, code: 'not_found', message: 'No template with this id' }],
      ),
    ]
    if (missing.length)
      throw new Unprocessable('The campaign names a segment or template that does not exist.', { missing })
    const campaign = await scheduleCampaign(tenantId, params.id, body?.at, ifMatch, correlationId)
    return { status: 200, body: campaign, version: campaign.version }
  },
)
