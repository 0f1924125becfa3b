import { READ_ROLES } from '../access.js'
import { http } from '../http.js'
import { leadScoring } from '../store/settings.js'

/** GET /settings/lead-scoring → the tenant's scoring rules (+ ETag); none until saved. */
export const handler = http({
  roles: READ_ROLES,
  async handle({ caller }) {
    const scoring = await leadScoring(caller.tenantId)
    return { status: 200, body: scoring, version: scoring.version }
  },
})
