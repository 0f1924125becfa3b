import { LINK_PURPOSE } from '../domain/send.js'
import { confirmPage, gonePage, maskEmail, PAGE_CSP } from '../domain/unsubscribe-page.js'
import { httpNonPost } from '../kit.js'
import { readLink, unsubscribeUrlOf } from '../links.js'
import * as routes from '../routes/tracking.js'
import { getSend } from '../store/sends.js'

/** GET /public/unsubscribe/{token} → the confirmation page (its button POSTs back here). */
export const handler = httpNonPost(routes.unsubscribePage, async ({ params }) => {
  const link = await readLink(LINK_PURPOSE.unsubscribe, params.token)
  const send = await getSend(link.t, link.c, link.k)
  const html = send ? confirmPage(maskEmail(send.email), unsubscribeUrlOf(params.token)) : gonePage()
  return {
    status: 200,
    headers: {
      'content-security-policy': PAGE_CSP,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
    raw: { body: html, contentType: 'text/html; charset=utf-8' },
  }
})
