/**
 * One journey email to one contact, through the campaign sender's own parts (the send record
 * claimed before SES, the template personalised with the visible unsubscribe link, tracked links
 * and the open pixel, RFC 8058 headers, Email.Sent with the record), so a journey email is
 * tracked, reported and unsubscribed from exactly like a campaign email.
 *
 * Each run's step has its own send record: campaign id `<journeyId>.<run>.<step>`, variant
 * `step-<n>`. A step message delivered twice finds its record claimed and sends nothing.
 */

import { newId } from '@relay/core/ids'
import { composeMime, mailFrom, sendRawEmail } from '@relay/core/mail'
import { type AudienceRecord, unreachable } from './domain/audience.js'
import { templateContact } from './domain/recipient.js'
import { classifySendError, fromHeader, linksToTrack, personalise, withTracking } from './domain/send.js'
import { trackingUrls, unsubscribeUrl } from './links.js'
import { claimSend, markSent, markUnsent, releaseClaim } from './store/sends.js'
import { suppressedAmong } from './store/suppressions.js'
import { getTemplate } from './store/templates.js'

export type JourneySendResult =
  | { kind: 'sent' }
  /** Not sent, and never will be for this step: already sent, no consent, suppressed, template gone. */
  | { kind: 'skipped'; reason: string }
  /** SES throttled or is down: the step is tried again later. */
  | { kind: 'retry'; retryAfterSeconds: number; reason: string }

/** The send record's campaign id of one run's step. */
export const journeySendId = (journeyId: string, run: number, step: number) => `${journeyId}.${run}.${step}`

const encodeTenant = (tenantId: string) => Buffer.from(tenantId, 'utf8').toString('base64url')

export async function sendJourneyEmail(
  tenantId: string,
  journey: { id: string; name: string },
  rec: AudienceRecord,
  at: { run: number; step: number; templateId: string },
  correlationId: string,
): Promise<JourneySendResult> {
  const why = unreachable(rec)
  if (why) return { kind: 'skipped', reason: why }
  const email = rec.email as string
  if ((await suppressedAmong(tenantId, [email])).size) return { kind: 'skipped', reason: 'suppressed' }
  const campaignId = journeySendId(journey.id, at.run, at.step)
  const claim = await claimSend(
    tenantId,
    campaignId,
    { contactId: rec.contactId, email },
    `step-${at.step}`,
    newId(),
  )
  if (!claim.claimed) return { kind: 'skipped', reason: 'already sent' }
  const send = claim.send
  let raw: Buffer
  let subject: string
  try {
    const template = await getTemplate(tenantId, at.templateId)
    if (!template) throw new Error(`Template ${at.templateId} is gone`)
    const link = { t: tenantId, c: campaignId, k: rec.contactId }
    const unsubscribe = await unsubscribeUrl(link)
    const mail = personalise(template, templateContact(rec), { name: journey.name }, unsubscribe)
    const urls = await trackingUrls(link, linksToTrack(mail.html, unsubscribe))
    const tracked = withTracking(mail, urls.clicks, urls.openPixel)
    subject = tracked.subject
    ;({ raw } = await composeMime({
      from: fromHeader(mailFrom(), undefined),
      to: [email],
      subject: tracked.subject,
      html: tracked.html,
      text: tracked.text,
      listUnsubscribe: { url: unsubscribe },
      headers: { 'X-Relay-Journey': journey.id },
    }))
  } catch (err) {
    await markUnsent(tenantId, send, 'failed', (err as Error).message)
    return { kind: 'skipped', reason: (err as Error).message }
  }
  try {
    const { sesMessageId } = await sendRawEmail(raw, {
      tags: { t: encodeTenant(tenantId), c: campaignId, k: rec.contactId },
    })
    await markSent(tenantId, send, sesMessageId, { campaignName: journey.name, subject, correlationId })
    return { kind: 'sent' }
  } catch (err) {
    const failure = classifySendError(err)
    if (failure.kind === 'retry-later') {
      await releaseClaim(tenantId, send)
      return { kind: 'retry', retryAfterSeconds: failure.retryAfterSeconds, reason: failure.reason }
    }
    await markUnsent(tenantId, send, failure.kind === 'uncertain' ? 'uncertain' : 'failed', failure.reason)
    return { kind: 'skipped', reason: failure.reason }
  }
}
