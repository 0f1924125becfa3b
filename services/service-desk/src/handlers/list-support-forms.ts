import { httpNonPost } from '../kit.js'
import * as routes from '../routes/intake.js'
import { listSupportForms } from '../store/support-forms.js'

/** GET /support-forms → the tenant's support forms (with their keys), newest first. */
export const handler = httpNonPost(routes.listSupportForms, async ({ caller, query }) => ({
  status: 200,
  body: await listSupportForms(caller.tenantId, query),
}))
