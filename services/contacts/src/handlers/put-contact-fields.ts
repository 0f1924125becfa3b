import { nowIso } from '@relay/core/ids'
import { Invalid, StaleVersion } from '@relay/core/outcomes'
import { isKnownRegion } from '../domain/phone.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/settings.js'
import { getContactFields, putContactFields } from '../store/settings.js'

/**
 * PUT /settings/contact-fields → 200 + ETag: replaces the definitions (and default phone region).
 * If-Match stale → 412; a concurrent change without If-Match → 409. Values already stored are
 * checked against the new definitions when those contacts are next written.
 */
export const handler = httpNonPost(routes.putContactFields, async ({ body, caller, ifMatch }) => {
  if (body.defaultRegion !== undefined && !isKnownRegion(body.defaultRegion)) {
    throw new Invalid([{ field: 'defaultRegion', code: 'invalid_region', message: 'Unknown region' }])
  }
  const current = await getContactFields(caller.tenantId)
  if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
  const next = {
    fields: body.fields,
    ...(body.defaultRegion ? { defaultRegion: body.defaultRegion } : {}),
    version: current.version + 1,
    updatedAt: nowIso(),
  }
  await putContactFields(caller.tenantId, next, current.version)
  return { status: 200, body: next, version: next.version }
})
