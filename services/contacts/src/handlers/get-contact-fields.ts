import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { getContactFields } from '../store/settings.js'

/** GET /settings/contact-fields → the tenant's custom field definitions + ETag. */
export const handler = http({
  roles: READ_ROLES,
  async handle({ caller }) {
    const settings = await getContactFields(caller.tenantId)
    return { status: 200, body: settings, version: settings.version }
  },
})
