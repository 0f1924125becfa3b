import { httpNonPost } from '../kit.js'
import * as routes from '../routes/templates.js'
import { requireTemplate } from '../store/templates.js'

/** GET /templates/{id} → the template, ETag its version. */
export const handler = httpNonPost(routes.getTemplate, async ({ params, caller }) => {
  const template = await requireTemplate(caller.tenantId, params.id)
  return { status: 200, body: template, version: template.version }
})
