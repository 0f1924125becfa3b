import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { userDirectory } from '../store/settings.js'

/** GET /settings/users → where reminder emails go (+ ETag); empty until saved. */
export const handler = http({
  roles: CONFIG_ROLES,
  async handle({ caller }) {
    const doc = await userDirectory(caller.tenantId)
    return { status: 200, body: doc, version: doc.version }
  },
})
