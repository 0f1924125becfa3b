import { CreateActivity } from '@relay/contracts/activities'
import { newId, nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { buildActivity } from '../domain/activity.js'
import { http } from '../http.js'
import { saveActivity } from '../store/activities.js'

/** POST /activities → 201 + Location: a task, call, meeting or email linked to a lead, contact or deal. */
export const handler = http({
  roles: SALES_ROLES,
  body: CreateActivity,
  async handle({ body, caller, correlationId }) {
    const activity = buildActivity(body, { id: newId(), userId: caller.userId, now: nowIso() })
    await saveActivity(caller.tenantId, activity, 0, [], correlationId)
    return { status: 201, body: activity, version: activity.version, location: `/activities/${activity.id}` }
  },
})
