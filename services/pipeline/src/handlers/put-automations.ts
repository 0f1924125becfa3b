import { type Automations, AutomationsInput } from '@relay/contracts/activities'
import { nowIso } from '@relay/core/ids'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { automations, getAutomations, putAutomations } from '../store/settings.js'
import { checkIfMatch, writeOrExplain } from '../support.js'

/**
 * PUT /settings/automations `{ rules }` → 200 + ETag. A rule names a stage id (and optionally a
 * pipeline); it fires on later stage changes into that stage.
 */
export const handler = http({
  roles: CONFIG_ROLES,
  body: AutomationsInput,
  async handle({ body, caller, ifMatch }) {
    const current = await automations(caller.tenantId)
    checkIfMatch(ifMatch, current.version)
    const next: Automations = { rules: body.rules, version: current.version + 1, updatedAt: nowIso() }
    await writeOrExplain(
      async () => current.version === 0 || Boolean(await getAutomations(caller.tenantId)),
      ifMatch,
      () => putAutomations(caller.tenantId, next, current.version),
    )
    return { status: 200, body: next, version: next.version }
  },
})
