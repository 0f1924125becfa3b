import { newId, nowIso } from '@relay/core/ids'
import { buildActivity } from '../domain/activity.js'
import { assertNoProblems } from '../domain/pipeline.js'
import { http } from '../kit.js'
import * as routes from '../routes/activities.js'
import { saveActivity } from '../store/activities.js'
import { referenceProblems } from '../store/references.js'

/**
 * POST /activities → 201 + Location: a task, call, meeting or email linked to a lead, contact or
 * deal; a deal or lead that does not exist, or a contact known to be gone, is a 400 (store/references.ts).
 */
export const handler = http(routes.createActivity, async ({ body, caller, correlationId }) => {
  assertNoProblems(await referenceProblems(caller.tenantId, { relatedTo: body.relatedTo }))
  const activity = buildActivity(body, { id: newId(), userId: caller.userId, now: nowIso() })
  await saveActivity(caller.tenantId, activity, 0, [], correlationId)
  return { status: 201, body: activity, version: activity.version, location: `/activities/${activity.id}` }
})
