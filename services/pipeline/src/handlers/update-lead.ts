import { LEAD_EVENT, UpdateLead } from '@relay/contracts/leads'
import { IdParams } from '@relay/contracts/pipeline'
import { conflict, notFound } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { SALES_ROLES } from '../access.js'
import { emailFingerprint } from '../domain/engagement.js'
import { applyLeadPatch, diffLeads, leadHasIdentity } from '../domain/lead.js'
import { http } from '../http.js'
import { getLead, leadEmailLinkPut, saveLead } from '../store/leads.js'
import { leadScoring } from '../store/settings.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/** PATCH /leads/{id} (merge-patch) → 200 + ETag, rescored. A converted lead is read-only (409). */
export const handler = http({
  roles: SALES_ROLES,
  params: IdParams,
  body: UpdateLead,
  async handle({ params, body, caller, ifMatch, correlationId }) {
    const current = await getLead(caller.tenantId, params.id)
    if (!current) throw notFound('No lead with this id.')
    checkIfMatch(ifMatch, current.version)
    if (current.status === 'converted') throw conflict('A converted lead cannot change.')
    const { rules } = await leadScoring(caller.tenantId)
    const next = applyLeadPatch(current, body, { now: nowIso(), rules })
    if (!leadHasIdentity(next))
      assertNoProblems([
        {
          field: 'lastName',
          code: 'identity_required',
          message: 'Keep at least one of lastName, email or companyName',
        },
      ])
    const changes = diffLeads(current, next)
    if (Object.keys(changes).length === 0) return { status: 200, body: current, version: current.version }
    await writeOrExplain(
      async () => Boolean(await getLead(caller.tenantId, current.id)),
      ifMatch,
      () =>
        saveLead(
          caller.tenantId,
          next,
          current.version,
          [{ detailType: LEAD_EVENT.updated, data: { id: next.id, version: next.version, changes } }],
          correlationId,
          // A new email is linked for engagement lookups; the old link is left and ignored on use.
          next.email && next.email !== current.email
            ? [leadEmailLinkPut(caller.tenantId, next.id, emailFingerprint(next.email))]
            : [],
        ),
    )
    return { status: 200, body: next, version: next.version }
  },
})
