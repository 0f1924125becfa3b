/**
 * Public routes reached from inside a campaign email: no token of ours, the signed link in the path
 * is the credential (core's signed-link: HS256, purpose, expiry). Nothing here takes a URL, a
 * tenant or an address from the request: they are all inside the signed token, so the click
 * redirect can only ever send a reader where the campaign's own HTML pointed (no open redirect).
 */
import { route } from '@relay/core/manifest'
import * as z from 'zod/mini'

/** A compact JWS: three base64url parts. Bounded: a link with a long target URL stays under 4 KB. */
const LinkToken = z.strictObject({
  token: z
    .string()
    .check(
      z.maxLength(4096),
      z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'Must be a signed link'),
    ),
})

const BAD_LINK = { 401: 'The link is not valid or has expired' }

export const openPixel = /* @__PURE__ */ route({
  method: 'GET',
  path: '/public/t/o/{token}',
  function: 'track-open',
  roles: 'public',
  params: LinkToken,
  summary: 'Open tracking: a 1×1 transparent GIF; the first fetch publishes Email.Opened',
  errors: BAD_LINK,
  response: { status: 200 },
})

export const clickRedirect = /* @__PURE__ */ route({
  method: 'GET',
  path: '/public/t/c/{token}',
  function: 'track-click',
  roles: 'public',
  params: LinkToken,
  summary:
    "Click tracking: 302 to the link's target, which is inside the signed token (never from the query); Email.Clicked",
  errors: BAD_LINK,
  response: { status: 302 },
})

export const unsubscribePage = /* @__PURE__ */ route({
  method: 'GET',
  path: '/public/unsubscribe/{token}',
  function: 'unsubscribe-page',
  roles: 'public',
  params: LinkToken,
  summary:
    'The unsubscribe confirmation page (HTML with one button); a GET never unsubscribes (link scanners fetch GETs)',
  errors: BAD_LINK,
  response: { status: 200 },
})

export const unsubscribe = /* @__PURE__ */ route({
  method: 'POST',
  path: '/public/unsubscribe/{token}',
  function: 'unsubscribe',
  roles: 'public',
  params: LinkToken,
  summary:
    "Unsubscribe: RFC 8058 one-click POST (List-Unsubscribe=One-Click) or the page's button; Email.Unsubscribed (contacts withdraws the email consent), address suppressed",
  // The form body (`List-Unsubscribe=One-Click`) is all a client sends.
  maxBodyBytes: 1024,
  errors: BAD_LINK,
  response: { status: 200 },
})

export const trackingRoutes = [openPixel, clickRedirect, unsubscribePage, unsubscribe]
