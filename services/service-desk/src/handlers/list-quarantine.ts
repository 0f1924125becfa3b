import { httpNonPost } from '../kit.js'
import * as routes from '../routes/intake.js'
import { listQuarantine } from '../store/inbound.js'

/** GET /inbound/quarantine → the messages that could not be read, newest first (without their bytes). */
export const handler = httpNonPost(routes.listQuarantine, async ({ caller, query }) => ({
  status: 200,
  body: await listQuarantine(caller.tenantId, query),
}))
