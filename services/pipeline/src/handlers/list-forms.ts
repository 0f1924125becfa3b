import { httpNonPost } from '../kit.js'
import * as routes from '../routes/forms.js'
import { listForms } from '../store/forms.js'

/** GET /forms → the tenant's web forms, newest first. */
export const handler = httpNonPost(routes.listForms, async ({ query, caller }) => {
  return { status: 200, body: await listForms(caller.tenantId, query) }
})
