import { LINK_PURPOSE } from '../domain/send.js'
import { httpNonPost } from '../kit.js'
import { readLink } from '../links.js'
import * as routes from '../routes/tracking.js'
import { getSend, recordOpen } from '../store/sends.js'

/** A 1×1 transparent GIF (43 bytes). */
const PIXEL_GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7'

/**
 * GET /public/t/o/{token} → the pixel. The first fetch of a send publishes Email.Opened; later ones
 * only count. A link whose send is gone (the contact erased) still gets the pixel: a mail client
 * shows a broken image otherwise, and nothing is recorded.
 */
export const handler = httpNonPost(routes.openPixel, async ({ params, correlationId }) => {
  const link = await readLink(LINK_PURPOSE.open, params.token)
  const send = await getSend(link.t, link.c, link.k)
  if (send) await recordOpen(link.t, send, correlationId)
  return {
    status: 200,
    headers: { 'cache-control': 'no-store, max-age=0', 'referrer-policy': 'no-referrer' },
    raw: { body: PIXEL_GIF, contentType: 'image/gif', base64: true },
  }
})
