import { IdParams } from '@relay/contracts/pipeline'
import { notFound } from '@relay/core/errors'
import { CONFIG_ROLES } from '../access.js'
import { http } from '../http.js'
import { getForm } from '../store/forms.js'

/** GET /forms/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = http({
  roles: CONFIG_ROLES,
  params: IdParams,
  async handle({ params, caller }) {
    const form = await getForm(caller.tenantId, params.id)
    if (!form) throw notFound('No form with this id.')
    return { status: 200, body: form, version: form.version }
  },
})
