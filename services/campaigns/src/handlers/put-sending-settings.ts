import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sending.js'
import { putSendingSettings } from '../store/sending.js'

/** PUT /settings/email-sending (If-Match) → the settings as saved; running sends use them from their next batch. */
export const handler = httpNonPost(routes.putSendingSettings, async ({ body, caller, ifMatch }) => {
  const settings = await putSendingSettings(caller.tenantId, body, ifMatch)
  return { status: 200, body: settings, version: settings.version }
})
