/**
 * The send job's rules, pure: how big a batch is, how a recipient's message is made (render,
 * tracked links, open pixel, unsubscribe), and what an SES failure means for the recipient.
 *
 * | SES answer                                   | recipient            | batch                          |
 * | -------------------------------------------- | -------------------- | ------------------------------ |
 * | accepted                                     | `sent`, Email.Sent   | goes on                        |
 * | throttled (core's Unavailable)               | claim released       | stops; same batch again later  |
 * | refused before taking it (connection refused, 5xx, account/config paused) | claim released | stops; again later |
 * | `MessageRejected` / invalid parameter        | `failed` (not sent)  | goes on                        |
 * | broke off mid-call (time-out, reset)         | `uncertain`: never re-sent, since SES may have taken it | goes on |
 */
import {
  type RenderedMail,
  renderTemplate,
  rewriteLinks,
  type TemplateParts,
  withOpenPixel,
  withUnsubscribeFooter,
} from './template.js'

/** Seconds of sending one batch covers at the tenant's rate: short enough to finish well inside the worker's time-out. */
export const BATCH_SECONDS = 20
/** Recipients per batch at most, whatever the rate (one enumeration page, bounded memory). */
export const MAX_BATCH = 2_000
/** The worker stops claiming after this long and asks for the rest of the batch again (time-out 120 s). */
export const BATCH_BUDGET_MS = 60_000
/** Sends in flight at once within one second's budget. */
export const SEND_CONCURRENCY = 16

/** Recipients one batch takes at `ratePerSecond`. */
export function batchSize(ratePerSecond: number): number {
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(ratePerSecond * BATCH_SECONDS)))
}

export type SendFailure =
  | { kind: 'retry-later'; retryAfterSeconds: number; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'uncertain'; reason: string }

const REFUSED_BEFORE_SENDING = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'MailFromDomainNotVerifiedException',
  'ServiceUnavailable',
  'InternalFailure',
])
const REJECTED = new Set(['MessageRejected', 'InvalidParameterValue', 'InvalidParameterCombination'])

/** What a failed SendRawEmail means (see the table above). */
export function classifySendError(err: unknown): SendFailure {
  const e = err as {
    kind?: string
    retryAfterSeconds?: number
    name?: string
    code?: string
    message?: string
    $metadata?: { httpStatusCode?: number }
    cause?: { code?: string }
  }
  const reason = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`.slice(0, 300)
  if (e?.kind === 'Unavailable')
    return { kind: 'retry-later', retryAfterSeconds: e.retryAfterSeconds ?? 2, reason }
  const code = e?.code ?? e?.cause?.code ?? e?.name ?? ''
  if (REFUSED_BEFORE_SENDING.has(code) || REFUSED_BEFORE_SENDING.has(e?.name ?? ''))
    return { kind: 'retry-later', retryAfterSeconds: 30, reason }
  const status = e?.$metadata?.httpStatusCode
  if (REJECTED.has(e?.name ?? '') || (status !== undefined && status >= 400 && status < 500))
    return { kind: 'failed', reason }
  // An SES answer of 5xx came back: it did not take the message.
  if (status !== undefined && status >= 500) return { kind: 'retry-later', retryAfterSeconds: 30, reason }
  return { kind: 'uncertain', reason }
}

/** Claims of the signed links in one recipient's message (short names: they travel in every URL). */
export interface LinkClaims {
  /** tenant */
  t: string
  /** campaign */
  c: string
  /** contact */
  k: string
}

/** Link purposes (the JWS audience): a pixel token cannot be replayed as an unsubscribe. */
export const LINK_PURPOSE = { open: 'camp-open', click: 'camp-click', unsubscribe: 'camp-unsub' } as const

/** Tracking links stay valid half a year; unsubscribe links a year (CAN-SPAM asks for 30 days at least). */
export const TRACKING_LINK_SECONDS = 180 * 86_400
export const UNSUBSCRIBE_LINK_SECONDS = 365 * 86_400

/**
 * One recipient's mail before tracking: the template rendered for them with the visible unsubscribe
 * link (Gmail/Yahoo bulk-sender rules) unless the template places `{{ unsubscribeUrl }}` itself.
 */
export function personalise(
  template: TemplateParts,
  contact: Readonly<Record<string, unknown>>,
  campaign: { name: string },
  unsubscribeUrl: string,
): RenderedMail {
  const rendered = renderTemplate(template, { contact, campaign, unsubscribeUrl })
  return withUnsubscribeFooter(rendered, template, unsubscribeUrl)
}

/** The links of a personalised HTML body that go through the click redirect (index → URL). */
export function linksToTrack(html: string, unsubscribeUrl: string): Map<number, string> {
  const links = new Map<number, string>()
  rewriteLinks(html, (url, i) => {
    if (url !== unsubscribeUrl) links.set(i, url)
    return url
  })
  return links
}

/** The HTML with each tracked link replaced by its redirect URL (`tracked`, by index) and the open pixel. */
export function withTracking(
  mail: RenderedMail,
  tracked: ReadonlyMap<number, string>,
  pixelUrl: string,
): RenderedMail {
  const html = rewriteLinks(mail.html, (url, i) => tracked.get(i) ?? url)
  return { ...mail, html: withOpenPixel(html, pixelUrl) }
}

/** `Name <address>` with the campaign's sender name on the stage's verified address. */
export function fromHeader(stageFrom: string, fromName: string | undefined): string {
  if (!fromName) return stageFrom
  const address = /<([^>]+)>/.exec(stageFrom)?.[1] ?? stageFrom.trim()
  const quoted = fromName.replace(/["\\\r\n]/g, ' ').trim()
  return `"${quoted}" <${address}>`
}
