import { nowIso } from '@relay/core/ids'
import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { applyActivityPatch } from '../domain/activity.js'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/activities.js'
import { getActivity, saveActivity } from '../store/activities.js'

/** PATCH /activities/{id} → 200 + ETag; `done: true` completes it (and cancels its reminder). */
export const handler = httpNonPost(
  routes.updateActivity,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const current = await getActivity(caller.tenantId, params.id)
    if (!current) throw new NotFound('No activity with this id.')
    checkVersion(ifMatch, current.version)
    const next = applyActivityPatch(current, body, nowIso())
    await writeOrExplain(
      () => saveActivity(caller.tenantId, next, current.version, [], correlationId),
      async () => Boolean(await getActivity(caller.tenantId, current.id)),
    )
    return { status: 200, body: next, version: next.version }
  },
)
