import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sla.js'
import { getBusinessHours } from '../store/policies.js'

/** GET /sla/business-hours → 200 + ETag (the default, version 0, before the first PUT). */
export const handler = httpNonPost(routes.getBusinessHours, async ({ caller }) => {
  const hours = await getBusinessHours(caller.tenantId)
  return { status: 200, body: hours, version: hours.version }
})
