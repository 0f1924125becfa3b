import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { getContactFields } from '../store/settings.js'

/** GET /settings/contact-fields → the tenant's custom field definitions + ETag. */
export const handler = httpNonPost(routes.getContactFields, async ({ caller }) => {
  const settings = await getContactFields(caller.tenantId)
  return { status: 200, body: settings, version: settings.version }
})
