/**
 * The unsubscribe pages, pure HTML (no script, inline style only): the confirmation page a GET
 * shows (one button that POSTs back to the same URL; a GET never unsubscribes, because link
 * scanners and previews fetch GETs) and the page after. Everything interpolated is escaped.
 */
const esc = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&quot;' })[c] as string,
  )

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`
}

/** Content-Security-Policy of both pages: nothing but the form posting back to us. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

export function confirmPage(email: string, actionUrl: string): string {
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1><p>Stop campaign email to <strong>${esc(email)}</strong>?</p><form method="post" action="${esc(actionUrl)}"><input type="hidden" name="source" value="page"><button type="submit">Unsubscribe</button></form>`,
  )
}

export function donePage(email: string): string {
  return page(
    'Unsubscribed',
    `<h1>You are unsubscribed</h1><p><strong>${esc(email)}</strong> will receive no more campaign email from us.</p>`,
  )
}

/** Shown for a link whose send is gone (the contact was erased): nothing to unsubscribe any more. */
export function gonePage(): string {
  return page(
    'Unsubscribe',
    '<h1>Nothing to unsubscribe</h1><p>We hold no campaign email address for this link.</p>',
  )
}

/** A masked address for the page (the link may be forwarded): `a•••@example.com`. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@')
  return `${local.slice(0, 1)}•••@${domain}`
}
