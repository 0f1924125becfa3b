import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getActivity } from '../store/activities.js'

/** GET /activities/{id} → 200 + ETag, or 404. */
export const handler = http({
  roles: READ_ROLES,
  params: IdParams,
  async handle({ params, caller }) {
    const activity = await getActivity(caller.tenantId, params.id)
    if (!activity) throw notFound('No activity with this id.')
    return { status: 200, body: activity, version: activity.version }
  },
})
