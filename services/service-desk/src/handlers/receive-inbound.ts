import { INBOUND_MEDIA_TYPES } from '@relay/contracts/service-desk-intake'
import { nowIso } from '@relay/core/ids'
import { Invalid, UnsupportedMediaType } from '@relay/core/outcomes'
import { parseInbound } from '../domain/inbound-mail.js'
import { http } from '../kit.js'
import * as routes from '../routes/intake.js'
import { quarantine } from '../store/inbound.js'
import { deliverInbound } from '../store/inbound-delivery.js'

const MEDIA_TYPES: ReadonlySet<string> = new Set(INBOUND_MEDIA_TYPES)

/**
 * POST /inbound/email: the raw message, as the mail relay got it from the SES receipt rule (its S3
 * object or SNS content). → 201 a new ticket (Location), 200 a reply threaded onto a ticket or a
 * Message-ID already received, 202 quarantined (the bytes kept with the reason: nothing is
 * dropped), 400 an empty body, 415 a body that is not a raw message.
 */
export const handler = http(routes.receiveInbound, async ({ caller, headers, event, correlationId }) => {
  const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase()
  if (!type || !MEDIA_TYPES.has(type))
    throw new UnsupportedMediaType('Send the raw message with Content-Type message/rfc822.')
  const raw =
    event.body === undefined || event.body === null
      ? Buffer.alloc(0)
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
  if (raw.byteLength === 0)
    throw new Invalid([{ field: 'body', code: 'required', message: 'The raw message is missing' }])
  const now = nowIso()
  const parsed = await parseInbound(raw)
  if (parsed.kind === 'malformed') {
    const kept = await quarantine(caller.tenantId, raw, parsed, now)
    return {
      status: 202,
      body: { status: 'quarantined', quarantineId: kept.id, reason: kept.reason, detail: kept.detail },
      location: `/inbound/quarantine/${kept.id}`,
    }
  }
  const d = await deliverInbound(caller.tenantId, parsed.message, { correlationId, now })
  if (d.status === 'created') return { status: 201, body: d, location: `/tickets/${d.ticketId}` }
  return { status: 200, body: d }
})
