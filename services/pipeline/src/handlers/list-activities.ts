import { nowIso } from '@relay/core/ids'
import { utcDay } from '../domain/activity.js'
import { assertNoProblems } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/activities.js'
import { listActivities } from '../store/activities.js'

/**
 * GET /activities?view=today|overdue|open&owner= (default: the caller's open ones by due time), or
 * ?relatedType=deal&relatedId= (a record's activities, newest first).
 */
export const handler = httpNonPost(routes.listActivities, async ({ query, caller }) => {
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
})
