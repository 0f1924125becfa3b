import { NotFound } from '@relay/core/outcomes'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/intake.js'
import { getQuarantined } from '../store/inbound.js'

/** GET /inbound/quarantine/{id} → one quarantined message with its bytes (base64), to inspect or fix and re-post. */
export const handler = httpNonPost(routes.getQuarantined, async ({ caller, params }) => {
  const found = await getQuarantined(caller.tenantId, params.id)
  if (!found) throw new NotFound('No quarantined message with this id.')
  const { raw, ...rest } = found
  return { status: 200, body: { ...rest, rawBase64: Buffer.from(raw).toString('base64') } }
})
