import type { Automations } from '@relay/contracts/activities'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { checkVersion } from '../domain/pipeline.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { automations, getAutomations, putAutomations } from '../store/settings.js'

/**
 * PUT /settings/automations `{ rules }` → 200 + ETag. A rule names a stage id (and optionally a
 * pipeline); it fires on later stage changes into that stage.
 */
export const handler = httpNonPost(routes.putAutomations, async ({ body, caller, ifMatch }) => {
  const current = await automations(caller.tenantId)
  checkVersion(ifMatch, current.version)
  const next: Automations = { rules: body.rules, version: current.version + 1, updatedAt: nowIso() }
  await writeOrExplain(
    () => putAutomations(caller.tenantId, next, current.version),
    async () => current.version === 0 || Boolean(await getAutomations(caller.tenantId)),
  )
  return { status: 200, body: next, version: next.version }
})
