import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { SALES_ROLES } from '../access.js'
import { http } from '../http.js'
import { getActivity, removeActivity } from '../store/activities.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/** DELETE /activities/{id} → 204. */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  async handle({ params, caller, ifMatch, correlationId }) {
    const current = await getActivity(caller.tenantId, params.id)
    if (!current) throw notFound('No activity with this id.')
    checkIfMatch(ifMatch, current.version)
    await writeOrExplain(
      async () => Boolean(await getActivity(caller.tenantId, current.id)),
      ifMatch,
      () => removeActivity(caller.tenantId, current.id, current.version, correlationId),
    )
    return { status: 204 }
  },
})
