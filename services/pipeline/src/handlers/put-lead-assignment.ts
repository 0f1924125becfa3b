import type { LeadAssignment } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { assignmentProblems } from '../domain/assignment.js'
import { assertNoProblems, checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { getLeadAssignment, leadAssignment, putLeadAssignment } from '../store/settings.js'

/**
 * PUT /settings/lead-assignment `{ teams, rules, defaultTeam? }` → 200 + ETag. Applies to leads
 * created from then on (POST /leads without an owner, and web-form submissions).
 */
export const handler = httpNonPost(routes.putLeadAssignment, async ({ body, caller, ifMatch }) => {
  const current = await leadAssignment(caller.tenantId)
  checkVersion(ifMatch, current.version)
  assertNoProblems(assignmentProblems(body))
  const next: LeadAssignment = {
    teams: body.teams,
    rules: body.rules,
    ...(body.defaultTeam ? { defaultTeam: body.defaultTeam } : {}),
    version: current.version + 1,
    updatedAt: nowIso(),
  }
  await writeOrExplain(
    () => putLeadAssignment(caller.tenantId, next, current.version),
    async () => current.version === 0 || Boolean(await getLeadAssignment(caller.tenantId)),
  )
  return { status: 200, body: next, version: next.version }
})
