import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { currencySettings } from '../store/settings.js'

/** GET /settings/currencies → base currency and rates (+ ETag); USD and no rates until saved. */
export const handler = http({
  roles: READ_ROLES,
  async handle({ caller }) {
    const settings = await currencySettings(caller.tenantId)
    return { status: 200, body: settings, version: settings.version }
  },
})
