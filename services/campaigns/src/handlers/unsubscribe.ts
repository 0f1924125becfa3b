import { nowIso } from '@relay/core/ids'
import { LINK_PURPOSE } from '../domain/send.js'
import { donePage, gonePage, maskEmail, PAGE_CSP } from '../domain/unsubscribe-page.js'
import { http } from '../kit.js'
import { readLink } from '../links.js'
import * as routes from '../routes/tracking.js'
import { getSend, recordUnsubscribe } from '../store/sends.js'
import { suppressionItem } from '../store/suppressions.js'

/**
 * POST /public/unsubscribe/{token} → 200 page. RFC 8058: a mail client posts
 * `List-Unsubscribe=One-Click` (no cookies, no token of ours); the confirmation page's button posts
 * too. The first one commits, in one transaction, the send's `unsubscribedAt`, the address on the
 * suppression list (no campaign reaches it before contacts' consent change comes back) and
 * Email.Unsubscribed (contacts withdraws the email consent). Repeats answer the same page.
 */
export const handler = http(routes.unsubscribe, async ({ params, event, correlationId }) => {
  const link = await readLink(LINK_PURPOSE.unsubscribe, params.token)
  const send = await getSend(link.t, link.c, link.k)
  const headers = { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' }
  if (!send)
    return { status: 200, headers, raw: { body: gonePage(), contentType: 'text/html; charset=utf-8' } }
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '')
  const method = /(^|&)List-Unsubscribe=One-Click(&|$)/.test(raw) ? 'one-click' : 'link'
  await recordUnsubscribe(
    link.t,
    send,
    method,
    [
      suppressionItem(link.t, {
        email: send.email,
        reason: 'unsubscribe',
        source: method,
        at: nowIso(),
        campaignId: send.campaignId,
        contactId: send.contactId,
      }),
    ],
    correlationId,
  )
  return {
    status: 200,
    headers,
    raw: { body: donePage(maskEmail(send.email)), contentType: 'text/html; charset=utf-8' },
  }
})
