import { ListActivitiesQuery } from '@relay/contracts/activities'
import { nowIso } from '@relay/core/ids'
import { READ_ROLES } from '../access.js'
import { utcDay } from '../domain/activity.js'
import { http } from '../http.js'
import { listActivities } from '../store/activities.js'
import { assertNoProblems } from '../support.js'

/**
 * GET /activities?view=today|overdue|open&owner= (default: the caller's open ones by due time), or
 * ?relatedType=deal&relatedId= (a record's activities, newest first).
 */
export const handler = http({
  roles: READ_ROLES,
  query: ListActivitiesQuery,
  async handle({ query, caller }) {
    if (Boolean(query.relatedType) !== Boolean(query.relatedId))
      assertNoProblems([
        {
          field: 'query.relatedId',
          code: 'related_pair',
          message: 'Give relatedType and relatedId together',
        },
      ])
    const now = nowIso()
    const page = await listActivities(
      caller.tenantId,
      { ...query, owner: query.owner ?? caller.userId },
      { ...utcDay(now), now },
    )
    return { status: 200, body: page }
  },
})
