import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { automations } from '../store/settings.js'

/** GET /settings/automations → the deal automation rules (+ ETag); none until saved. */
export const handler = http({
  roles: READ_ROLES,
  async handle({ caller }) {
    const doc = await automations(caller.tenantId)
    return { status: 200, body: doc, version: doc.version }
  },
})
