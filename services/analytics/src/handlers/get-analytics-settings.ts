import { httpNonPost } from '../kit.js'
import { getSettings as route } from '../routes/analytics.js'
import { getSettings } from '../store/settings.js'

/** GET /analytics/settings → zone, base currency, rates (defaults before the first save: UTC, USD). */
export const handler = httpNonPost(route, async ({ caller }) => {
  const settings = await getSettings(caller.tenantId)
  return { status: 200, body: settings, version: settings.version }
})
