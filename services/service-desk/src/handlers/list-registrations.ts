import { httpNonPost } from '../kit.js'
import * as routes from '../routes/field.js'
import { listRegistrations } from '../store/registrations.js'

/** GET /registrations → a contact's (?contactId=), one serial's (?serialNumber=), or all, newest first. */
export const handler = httpNonPost(routes.listRegistrations, async ({ caller, query }) => ({
  status: 200,
  body: await listRegistrations(caller.tenantId, query),
}))
