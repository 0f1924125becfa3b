import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { currencySettings } from '../store/settings.js'

/** GET /settings/currencies → base currency and rates (+ ETag); USD and no rates until saved. */
export const handler = httpNonPost(routes.getCurrencies, async ({ caller }) => {
  const settings = await currencySettings(caller.tenantId)
  return { status: 200, body: settings, version: settings.version }
})
