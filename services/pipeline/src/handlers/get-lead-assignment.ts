import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { leadAssignment } from '../store/settings.js'

/** GET /settings/lead-assignment → teams and ordered rules (+ ETag); none until saved. */
export const handler = http({
  roles: READ_ROLES,
  async handle({ caller }) {
    const settings = await leadAssignment(caller.tenantId)
    return { status: 200, body: settings, version: settings.version }
  },
})
