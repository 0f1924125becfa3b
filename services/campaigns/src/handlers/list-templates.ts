import { httpNonPost } from '../kit.js'
import * as routes from '../routes/templates.js'
import { listTemplates } from '../store/templates.js'

/** GET /templates → a page, newest first. */
export const handler = httpNonPost(routes.listTemplates, async ({ query, caller }) => ({
  status: 200,
  body: await listTemplates(caller.tenantId, query),
}))
