import { LEAD_EVENT } from '@relay/contracts/leads'
import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { SALES_ROLES } from '../access.js'
import { http } from '../http.js'
import { getLead, removeLead } from '../store/leads.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/** DELETE /leads/{id} → 204, with Lead.Deleted. */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  async handle({ params, caller, ifMatch, correlationId }) {
    const current = await getLead(caller.tenantId, params.id)
    if (!current) throw notFound('No lead with this id.')
    checkIfMatch(ifMatch, current.version)
    await writeOrExplain(
      async () => Boolean(await getLead(caller.tenantId, current.id)),
      ifMatch,
      () =>
        removeLead(
          caller.tenantId,
          current.id,
          current.version,
          [{ detailType: LEAD_EVENT.deleted, data: { id: current.id, version: current.version } }],
          correlationId,
        ),
    )
    return { status: 204 }
  },
})
