import { nowIso } from '@relay/core/ids'
import { NotFound, writeOrExplain } from '@relay/core/outcomes'
import { emailFingerprint } from '../domain/engagement.js'
import { applyLeadPatch, diffLeads, LeadConverted, leadHasIdentity, leadUpdated } from '../domain/lead.js'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/leads.js'
import { getLead, leadEmailLinkPut, saveLead } from '../store/leads.js'
import { leadScoring } from '../store/settings.js'

/** PATCH /leads/{id} (merge-patch) → 200 + ETag, rescored. A converted lead is read-only (409). */
export const handler = httpNonPost(
  routes.updateLead,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const current = await getLead(caller.tenantId, params.id)
    if (!current) throw new NotFound('No lead with this id.')
    checkVersion(ifMatch, current.version)
    if (current.status === 'converted') throw new LeadConverted()
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
      () =>
        saveLead(
          caller.tenantId,
          next,
          current.version,
          [leadUpdated(next, changes)],
          correlationId,
          // A new email is linked for engagement lookups; the old link is left and ignored on use.
          next.email && next.email !== current.email
            ? [leadEmailLinkPut(caller.tenantId, next.id, emailFingerprint(next.email))]
            : [],
        ),
      async () => Boolean(await getLead(caller.tenantId, current.id)),
    )
    return { status: 200, body: next, version: next.version }
  },
)
