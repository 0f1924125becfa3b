import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { automations } from '../store/settings.js'

/** GET /settings/automations → the deal automation rules (+ ETag); none until saved. */
export const handler = httpNonPost(routes.getAutomations, async ({ caller }) => {
  const doc = await automations(caller.tenantId)
  return { status: 200, body: doc, version: doc.version }
})
