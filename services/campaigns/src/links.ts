/**
 * The signed links of a campaign email (core's signed-link: HS256 JWS with a purpose and an
 * expiry): the open pixel, each tracked link (its target URL inside the token, so the redirect can
 * only go where the campaign's HTML pointed), and the unsubscribe link. A link names its send by
 * tenant, campaign and contact; nothing else of the recipient (no address) travels in a URL.
 */

import { Unauthenticated } from '@relay/core/outcomes'
import { publicBaseUrl, signLink, verifyLink } from '@relay/core/signed-link'
import {
  LINK_PURPOSE,
  type LinkClaims,
  TRACKING_LINK_SECONDS,
  UNSUBSCRIBE_LINK_SECONDS,
} from './domain/send.js'

export interface TrackingUrls {
  openPixel: string
  /** Link index → redirect URL. */
  clicks: Map<number, string>
}

const claimsOf = (c: LinkClaims) => ({ t: c.t, c: c.c, k: c.k })

/** The recipient's unsubscribe URL (the page, the one-click POST and the List-Unsubscribe header). */
export async function unsubscribeUrl(claims: LinkClaims): Promise<string> {
  const token = await signLink(LINK_PURPOSE.unsubscribe, claimsOf(claims), {
    expiresInSeconds: UNSUBSCRIBE_LINK_SECONDS,
  })
  return unsubscribeUrlOf(token)
}

/** The open pixel and one redirect per tracked link (index → its target URL). */
export async function trackingUrls(
  claims: LinkClaims,
  links: ReadonlyMap<number, string>,
): Promise<TrackingUrls> {
  const base = publicBaseUrl()
  const claimed = claimsOf(claims)
  const [open, ...clicks] = await Promise.all([
    signLink(LINK_PURPOSE.open, claimed, { expiresInSeconds: TRACKING_LINK_SECONDS }),
    ...[...links].map(([i, url]) =>
      signLink(LINK_PURPOSE.click, { ...claimed, u: url, l: i }, { expiresInSeconds: TRACKING_LINK_SECONDS }),
    ),
  ])
  const indices = [...links.keys()]
  return {
    openPixel: `${base}/public/t/o/${open}`,
    clicks: new Map(clicks.map((token, n) => [indices[n] as number, `${base}/public/t/c/${token}`])),
  }
}

/** The URL of a link's unsubscribe token (for the List-Unsubscribe header and the page's form). */
export const unsubscribeUrlOf = (token: string) => `${publicBaseUrl()}/public/unsubscribe/${token}`

const text = (v: unknown) => (typeof v === 'string' && v !== '' && !v.includes('#') ? v : undefined)

/** The send a link names, or Unauthenticated (401) for a token that is forged, expired or of another purpose. */
export async function readLink(
  purpose: (typeof LINK_PURPOSE)[keyof typeof LINK_PURPOSE],
  token: string,
): Promise<LinkClaims & { url?: string; link?: number }> {
  const claims = await verifyLink(purpose, token)
  const t = text(claims.t)
  const c = text(claims.c)
  const k = text(claims.k)
  if (!t || !c || !k) throw new Unauthenticated('This link is not valid.')
  if (purpose !== LINK_PURPOSE.click) return { t, c, k }
  const url = typeof claims.u === 'string' && /^https?:\/\//i.test(claims.u) ? claims.u : undefined
  const link = typeof claims.l === 'number' && Number.isInteger(claims.l) ? claims.l : undefined
  if (!url || link === undefined) throw new Unauthenticated('This link is not valid.')
  return { t, c, k, url, link }
}
