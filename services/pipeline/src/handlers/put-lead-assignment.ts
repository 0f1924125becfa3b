import { type LeadAssignment, LeadAssignmentInput } from '@relay/contracts/leads'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { assignmentProblems } from '../domain/assignment.js'
import { http } from '../http.js'
import { getLeadAssignment, leadAssignment, putLeadAssignment } from '../store/settings.js'
import { assertNoProblems, checkIfMatch, writeOrExplain } from '../support.js'

/**
 * PUT /settings/lead-assignment `{ teams, rules, defaultTeam? }` → 200 + ETag. Applies to leads
 * created from then on (POST /leads without an owner, and web-form submissions).
 */
export const handler = http({
  roles: CONFIG_ROLES,
  body: LeadAssignmentInput,
  async handle({ body, caller, ifMatch }) {
    const current = await leadAssignment(caller.tenantId)
    checkIfMatch(ifMatch, current.version)
    assertNoProblems(assignmentProblems(body))
    const next: LeadAssignment = {
      teams: body.teams,
      rules: body.rules,
      ...(body.defaultTeam ? { defaultTeam: body.defaultTeam } : {}),
      version: current.version + 1,
      updatedAt: nowIso(),
    }
    await writeOrExplain(
      async () => current.version === 0 || Boolean(await getLeadAssignment(caller.tenantId)),
      ifMatch,
      () => putLeadAssignment(caller.tenantId, next, current.version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
