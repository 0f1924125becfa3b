import { type LeadScoring, LeadScoringInput } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { getLeadScoring, leadScoring, putLeadScoring } from '../store/settings.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/**
 * PUT /settings/lead-scoring `{ rules }` → 200 + ETag. Leads are rescored when they are next
 * written (scores are recomputed on write, not in bulk).
 */
export const handler = http({
  roles: CONFIG_ROLES,
  body: LeadScoringInput,
  async handle({ body, caller, ifMatch }) {
    const current = await leadScoring(caller.tenantId)
    checkIfMatch(ifMatch, current.version)
    assertNoProblems(
      body.rules.flatMap((r, i) =>
        r.operator !== 'exists' && r.value === undefined
          ? [
              {
                field: `rules.${i}.value`,
                code: 'value_required',
                message: `Operator ${r.operator} needs a value`,
              },
            ]
          : (r.operator === 'gte' || r.operator === 'lte') && !Number.isFinite(Number(r.value))
            ? [
                {
                  field: `rules.${i}.value`,
                  code: 'number_required',
                  message: `Operator ${r.operator} needs a number`,
                },
              ]
            : [],
      ),
    )
    const next: LeadScoring = { rules: body.rules, version: current.version + 1, updatedAt: nowIso() }
    await writeOrExplain(
      async () => current.version === 0 || Boolean(await getLeadScoring(caller.tenantId)),
      ifMatch,
      () => putLeadScoring(caller.tenantId, next, current.version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
