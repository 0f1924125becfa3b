import { nowIso } from '@relay/core/ids'
import { http } from '../kit.js'
import * as routes from '../routes/suppressions.js'
import { getSuppression, suppress } from '../store/suppressions.js'

/**
 * POST /suppressions → 201 with the entry; an address suppressed already (for any reason) answers
 * 201 with the entry it has, so suppressing is safe to repeat.
 */
export const handler = http(routes.createSuppression, async ({ body, caller }) => {
  await suppress(caller.tenantId, {
    email: body.email,
    reason: 'manual',
    source: caller.userId,
    at: nowIso(),
    detail: body.detail,
  })
  const entry = await getSuppression(caller.tenantId, body.email)
  return {
    status: 201,
    body: entry,
    location: `/suppressions/${encodeURIComponent(body.email)}`,
  }
})
