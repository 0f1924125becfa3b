import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/activities.js'
import { getActivity } from '../store/activities.js'

/** GET /activities/{id} → 200 + ETag, or 404. */
export const handler = httpNonPost(routes.getActivity, async ({ params, caller }) => {
  const activity = await getActivity(caller.tenantId, params.id)
  if (!activity) throw new NotFound('No activity with this id.')
  return { status: 200, body: activity, version: activity.version }
})
