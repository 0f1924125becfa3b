import { DEAL_EVENT, IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { SALES_ROLES } from '../access.js'
import { http } from '../http.js'
import { getDeal, removeDeal } from '../store/deals.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/** DELETE /deals/{id} → 204, with Deal.Deleted. */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  async handle({ params, caller, ifMatch, correlationId }) {
    const current = await getDeal(caller.tenantId, params.id)
    if (!current) throw notFound('No deal with this id.')
    checkIfMatch(ifMatch, current.version)
    await writeOrExplain(
      async () => Boolean(await getDeal(caller.tenantId, current.id)),
      ifMatch,
      () =>
        removeDeal(
          caller.tenantId,
          current.id,
          current.version,
          [{ detailType: DEAL_EVENT.deleted, data: { id: current.id, version: current.version } }],
          correlationId,
        ),
    )
    return { status: 204 }
  },
})
