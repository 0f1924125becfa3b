import { UpdateActivity } from '@relay/contracts/activities'
import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { applyActivityPatch } from '../domain/activity.js'
import { http } from '../http.js'
import { getActivity, saveActivity } from '../store/activities.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/** PATCH /activities/{id} → 200 + ETag; `done: true` completes it (and cancels its reminder). */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  body: UpdateActivity,
  async handle({ params, body, caller, ifMatch, correlationId }) {
    const current = await getActivity(caller.tenantId, params.id)
    if (!current) throw notFound('No activity with this id.')
    checkIfMatch(ifMatch, current.version)
    const next = applyActivityPatch(current, body, nowIso())
    await writeOrExplain(
      async () => Boolean(await getActivity(caller.tenantId, current.id)),
      ifMatch,
      () => saveActivity(caller.tenantId, next, current.version, [], correlationId),
    )
    return { status: 200, body: next, version: next.version }
  },
})
