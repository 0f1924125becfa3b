import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { userDirectory } from '../store/settings.js'

/** GET /settings/users → where reminder emails go (+ ETag); empty until saved. */
export const handler = httpNonPost(routes.getUsers, async ({ caller }) => {
  const doc = await userDirectory(caller.tenantId)
  return { status: 200, body: doc, version: doc.version }
})
