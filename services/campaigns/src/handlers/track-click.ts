import { LINK_PURPOSE } from '../domain/send.js'
import { httpNonPost } from '../kit.js'
import { readLink } from '../links.js'
import * as routes from '../routes/tracking.js'
import { getSend, recordClick } from '../store/sends.js'

/**
 * GET /public/t/c/{token} → 302 to the URL inside the signed token (never one from the request:
 * no open redirect). The first click of each link publishes Email.Clicked. A send that is gone
 * still redirects: the reader wanted the page, not our bookkeeping.
 */
export const handler = httpNonPost(routes.clickRedirect, async ({ params, correlationId }) => {
  const link = await readLink(LINK_PURPOSE.click, params.token)
  const send = await getSend(link.t, link.c, link.k)
  if (send) await recordClick(link.t, send, link.link as number, link.url as string, correlationId)
  return {
    status: 302,
    headers: { location: link.url as string, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
  }
})
