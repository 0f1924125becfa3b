import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/activities.js'
import { getActivity, removeActivity } from '../store/activities.js'

/** DELETE /activities/{id} → 204. */
export const handler = httpNonPost(
  routes.deleteActivity,
  async ({ params, caller, ifMatch, correlationId }) => {
    const current = await getActivity(caller.tenantId, params.id)
    if (!current) throw new NotFound('No activity with this id.')
    checkVersion(ifMatch, current.version)
    await writeOrExplain(
      () => removeActivity(caller.tenantId, current.id, current.version, correlationId),
      async () => Boolean(await getActivity(caller.tenantId, current.id)),
    )
    return { status: 204 }
  },
)
