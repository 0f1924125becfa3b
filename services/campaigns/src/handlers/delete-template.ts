import { httpNonPost } from '../kit.js'
import * as routes from '../routes/templates.js'
import { deleteTemplate } from '../store/templates.js'

/** DELETE /templates/{id} → 204; missing → 404; a stale If-Match → 412. */
export const handler = httpNonPost(routes.deleteTemplate, async ({ params, caller, ifMatch }) => {
  await deleteTemplate(caller.tenantId, params.id, ifMatch)
  return { status: 204 }
})
