import { httpNonPost } from '../kit.js'
import * as routes from '../routes/sending.js'
import { getSendingSettings } from '../store/sending.js'

/** GET /settings/email-sending → the settings (defaults at version 0 until set). */
export const handler = httpNonPost(routes.getSendingSettings, async ({ caller }) => {
  const settings = await getSendingSettings(caller.tenantId)
  return { status: 200, body: settings, version: settings.version }
})
