import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/forms.js'
import { getForm } from '../store/forms.js'

/** GET /forms/{id} → 200 + ETag, or 404 (also for another tenant's id). */
export const handler = httpNonPost(routes.getForm, async ({ params, caller }) => {
  const form = await getForm(caller.tenantId, params.id)
  if (!form) throw new NotFound('No form with this id.')
  return { status: 200, body: form, version: form.version }
})
