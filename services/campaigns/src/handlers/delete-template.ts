import { httpNonPost } from '../kit.js'
import * as routes from '../routes/templates.js'
import { deleteTemplate } from '../store/templates.js'

/** DELETE /templates/{id} → 204. */
export const handler = httpNonPost(routes.deleteTemplate, async ({ params, caller }) => {
  await deleteTemplate(caller.tenantId, params.id)
  return { status: 204 }
})
