import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { leadAssignment } from '../store/settings.js'

/** GET /settings/lead-assignment → teams and ordered rules (+ ETag); none until saved. */
export const handler = httpNonPost(routes.getLeadAssignment, async ({ caller }) => {
  const settings = await leadAssignment(caller.tenantId)
  return { status: 200, body: settings, version: settings.version }
})
