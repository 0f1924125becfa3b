import type { AnalyticsSettings } from '@relay/contracts/analytics'
import { nowIso } from '@relay/core/ids'
import { writeOrExplain } from '@relay/core/outcomes'
import { checkSettings } from '../domain/settings.js'
import { httpNonPost } from '../kit.js'
import { putSettings as route } from '../routes/analytics.js'
import { getSettings, putSettings } from '../store/settings.js'

/**
 * PUT /analytics/settings → 200 + ETag. A new zone applies to events ingested from then on (days
 * already counted stay where they are; a replay re-buckets history, see the README).
 */
export const handler = httpNonPost(route, async ({ body, caller, ifMatch }) => {
  const current = await getSettings(caller.tenantId)
  checkSettings(body, current.version, ifMatch)
  const next: AnalyticsSettings = { ...body, version: current.version + 1, updatedAt: nowIso() }
  await writeOrExplain(
    () => putSettings(caller.tenantId, next, current.version),
    async () => (await getSettings(caller.tenantId)).version !== current.version,
  )
  return { status: 200, body: next, version: next.version }
})
