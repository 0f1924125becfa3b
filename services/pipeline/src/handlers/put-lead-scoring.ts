import type { LeadScoring } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { getLeadScoring, leadScoring, putLeadScoring } from '../store/settings.js'

/**
 * PUT /settings/lead-scoring `{ rules }` → 200 + ETag. Leads are rescored when they are next
 * written (scores are recomputed on write, not in bulk).
 */
export const handler = httpNonPost(routes.putLeadScoring, async ({ body, caller, ifMatch }) => {
  const current = await leadScoring(caller.tenantId)
  checkVersion(ifMatch, current.version)
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
    () => putLeadScoring(caller.tenantId, next, current.version),
    async () => current.version === 0 || Boolean(await getLeadScoring(caller.tenantId)),
  )
  return { status: 200, body: next, version: next.version }
})
