import { nowIso } from '@relay/core/ids'
import { NotFound, StaleVersion } from '@relay/core/outcomes'
import { applyConsent } from '../domain/contact.js'
import { http } from '../kit.js'
import * as routes from '../routes/timeline.js'
import { getContact, recordConsent } from '../store/contacts.js'

/**
 * POST /contacts/{id}/consent → 200 + ETag: records one channel's consent (status, time, source,
 * legal basis), with Contact.ConsentChanged and a timeline entry.
 */
export const handler = http(
  routes.recordConsent,
  async ({ params, body, caller, ifMatch, correlationId }) => {
    const current = await getContact(caller.tenantId, params.id)
    if (!current) throw new NotFound('No contact with this id.')
    if (ifMatch !== undefined && ifMatch !== current.version) throw new StaleVersion()
    const { contact, before, after } = applyConsent(current, body, nowIso())
    await recordConsent(
      caller.tenantId,
      current,
      contact,
      { channel: body.channel, before, after },
      correlationId,
      caller.userId,
    )
    return { status: 200, body: contact, version: contact.version }
  },
)
