/**
 * One batch of a campaign send: a page of the segment's walk (camp-audience's
 * segmentRecipientsPage), sent within the tenant's rate, each recipient claimed before SES is
 * called. What the worker commits afterwards (the checkpoint, the next message) is built by
 * store/campaigns.ts; this module only decides and sends.
 *
 * Restart-safety, in the order things happen to one recipient:
 *   1. claim: a conditional Put of its send record; someone else's claim (an earlier attempt, a
 *      redelivered message) means: not this attempt's, skip it. So no one is sent twice.
 *   2. SendRawEmail.
 *   3. the record becomes `sent` with Email.Sent in one transaction.
 * The batch's cursor only moves (batchDoneWork) once every recipient of the page was handled, so a
 * time-out, crash or throttle leaves the cursor where it was and the repeat finds the same page:
 * no one is skipped. The attempt stops claiming once its time budget is spent (well before the
 * function's time-out), so nothing is cut off between a claim and its send but a hard crash.
 */
import type { SegmentRule } from '@relay/contracts/campaigns'
import { newId } from '@relay/core/ids'
import type { Logger } from '@relay/core/log'
import { composeMime, mailFrom, sendRawEmail } from '@relay/core/mail'
import type { AudienceRecord } from './domain/audience.js'
import { templateContact } from './domain/recipient.js'
import {
  BATCH_BUDGET_MS,
  batchSize,
  classifySendError,
  fromHeader,
  linksToTrack,
  personalise,
  SEND_CONCURRENCY,
  withTracking,
} from './domain/send.js'
import type { TemplateParts } from './domain/template.js'
import { trackingUrls, unsubscribeUrl } from './links.js'
import type { BatchCounts, StoredCampaign } from './store/campaigns.js'
import { getCampaign } from './store/campaigns.js'
import { segmentRecipientsPage } from './store/members.js'
import { getSendingSettings, takeSendBudget } from './store/sending.js'
import {
  claimedAmong,
  claimSends,
  markSent,
  markUnsent,
  releaseClaim,
  type StoredSend,
} from './store/sends.js'
import { getTemplate } from './store/templates.js'

/**
 * The variant of each of the next `n` recipients (camp-ab's allocation plugs in here). Fewer than
 * `n` means: hold the rest for `retryAfterSeconds` (a test slice waiting for its winner).
 */
export type VariantChooser = (
  campaign: StoredCampaign,
  tenantId: string,
  n: number,
) => Promise<{ variantIds: string[]; retryAfterSeconds?: number }>

/** Without an A/B allocation: everyone gets the first variant. */
export const firstVariant: VariantChooser = async (c, _t, n) => ({
  variantIds: Array.from({ length: n }, () => c.variants[0]?.id as string),
})

export type BatchOutcome =
  | { kind: 'done'; counts: BatchCounts; nextCursor: string | undefined }
  /** Stopped early (budget spent, throttled, held): the same batch again after `delaySeconds`. */
  | { kind: 'again'; counts: BatchCounts; delaySeconds: number; reason: string }
  /** The campaign is no longer sending (cancelled): nothing to commit. */
  | { kind: 'stopped' }

export interface BatchOptions {
  logger: Logger
  correlationId: string
  chooseVariants?: VariantChooser
  /** For tests: the clock and the wait between seconds. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
  budgetMs?: number
}

/** Recipients claimed at a time within a second's slice (two claim transactions of 25). */
const CLAIM_CHUNK = 50

/** Tries to record a send SES accepted (the record stays `claimed`, never re-sent, if all fail). */
const RECORD_ATTEMPTS = 4

const encodeTenant = (tenantId: string) => Buffer.from(tenantId, 'utf8').toString('base64url')

/** Runs `fn` over `items`, at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T)
  })
  await Promise.all(lanes)
}

/**
 * The batch's recipients: pages of the segment's walk from `cursor` until `limit` audience items
 * were read or the walk ends (the audience is sharded: one page ends where its shard does, so a
 * small tenant's whole audience is one batch, not one batch per shard). The same cursor always
 * reads the same items, so a repeated batch finds the same recipients.
 */
async function walkPages(
  tenantId: string,
  rule: SegmentRule,
  cursor: string | undefined,
  limit: number,
): Promise<{ recipients: AudienceRecord[]; skipped: number; nextCursor: string | undefined }> {
  const recipients: AudienceRecord[] = []
  let skipped = 0
  let scanned = 0
  let next = cursor
  do {
    const page = await segmentRecipientsPage(tenantId, rule, {
      cursor: next,
      limit: Math.min(1000, limit - scanned),
    })
    recipients.push(...page.recipients)
    skipped += page.skipped.noEmail + page.skipped.noConsent + page.skipped.suppressed
    scanned += page.scanned
    next = page.nextCursor
  } while (next !== undefined && scanned < limit)
  return { recipients, skipped, nextCursor: next }
}

type Result = 'sent' | 'failed' | { retryAfterSeconds: number; reason: string }

/** Sends batch `c.sendBatch` of a sending campaign. */
export async function runBatch(
  c: StoredCampaign,
  tenantId: string,
  opts: BatchOptions,
): Promise<BatchOutcome> {
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const started = now()
  const budget = opts.budgetMs ?? BATCH_BUDGET_MS
  const settings = await getSendingSettings(tenantId)
  const rate = settings.ratePerSecond
  const rule = c.sendRule as SegmentRule
  const walk = await walkPages(tenantId, rule, c.sendCursor, batchSize(rate))
  const counts: BatchCounts = { sent: 0, skipped: 0, failed: 0 }
  const claimed = await claimedAmong(
    tenantId,
    c.id,
    walk.recipients.map((r) => r.contactId),
  )
  let todo = walk.recipients.filter((r) => !claimed.has(r.contactId))
  const templates = new Map<string, TemplateParts | undefined>()
  const templateOf = async (variantId: string) => {
    const variant = c.variants.find((v) => v.id === variantId)
    if (!variant) return undefined
    if (!templates.has(variant.id)) {
      const t = await getTemplate(tenantId, variant.templateId)
      templates.set(variant.id, t ? { ...t, subject: variant.subject ?? t.subject } : undefined)
    }
    return templates.get(variant.id)
  }
  const claimToken = newId()
  const from = fromHeader(mailFrom(), c.fromName)

  /** Sends one claimed recipient (the claim is this attempt's). */
  const sendOne = async (rec: AudienceRecord, send: StoredSend): Promise<Result> => {
    const variantId = send.variantId
    let raw: Buffer
    let subject: string
    try {
      const template = await templateOf(variantId)
      if (!template) throw new Error(`The template of variant ${variantId} is gone`)
      const link = { t: tenantId, c: c.id, k: rec.contactId }
      const unsubscribe = await unsubscribeUrl(link)
      const mail = personalise(template, templateContact(rec), { name: c.name }, unsubscribe)
      const urls = await trackingUrls(link, linksToTrack(mail.html, unsubscribe))
      const tracked = withTracking(mail, urls.clicks, urls.openPixel)
      subject = tracked.subject
      ;({ raw } = await composeMime({
        from,
        to: [rec.email as string],
        ...(c.replyTo ? { replyTo: c.replyTo } : {}),
        subject: tracked.subject,
        html: tracked.html,
        text: tracked.text,
        listUnsubscribe: { url: unsubscribe },
        headers: { 'X-Relay-Campaign': c.id, Precedence: 'bulk' },
      }))
    } catch (err) {
      // Not sendable as it stands (its template is gone, it exceeds a render limit): failed, not sent.
      await markUnsent(tenantId, send, 'failed', (err as Error).message)
      return 'failed'
    }
    let sesMessageId: string
    try {
      ;({ sesMessageId } = await sendRawEmail(raw, {
        tags: { t: encodeTenant(tenantId), c: c.id, k: rec.contactId },
      }))
    } catch (err) {
      const failure = classifySendError(err)
      if (failure.kind === 'retry-later') {
        await releaseClaim(tenantId, send)
        return { retryAfterSeconds: failure.retryAfterSeconds, reason: failure.reason }
      }
      opts.logger.warn('A recipient was not sent', {
        contactId: rec.contactId,
        outcome: failure.kind,
        reason: failure.reason,
      })
      await markUnsent(tenantId, send, failure.kind, failure.reason)
      return 'failed'
    }
    // SES took it: from here on the recipient is sent, whatever recording it costs.
    await recordSent(send, sesMessageId, subject)
    return 'sent'
  }

  /** The send record `sent` with Email.Sent; a throttled table is tried again (the mail is out). */
  const recordSent = async (send: StoredSend, sesMessageId: string, subject: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await markSent(tenantId, send, sesMessageId, {
          campaignName: c.name,
          subject,
          correlationId: opts.correlationId,
        })
        return
      } catch (err) {
        if (attempt >= RECORD_ATTEMPTS) throw err
        await sleep(100 * 2 ** attempt)
      }
    }
  }

  while (todo.length) {
    if (now() - started > budget)
      return { kind: 'again', counts, delaySeconds: 0, reason: 'time budget spent' }
    // A cancel stops the send within a second.
    const fresh = await getCampaign(tenantId, c.id)
    if (fresh?.status !== 'sending' || fresh.sendBatch !== c.sendBatch) return { kind: 'stopped' }
    const granted = await takeSendBudget(tenantId, rate, Math.min(rate, todo.length), now())
    if (granted === 0) {
      await sleep(1000 - (now() % 1000) + 5)
      continue
    }
    const chosen = await (opts.chooseVariants ?? firstVariant)(c, tenantId, granted)
    const slice = todo.slice(0, chosen.variantIds.length)
    const byContact = new Map(slice.map((rec) => [rec.contactId, rec]))
    let retry: { retryAfterSeconds: number; reason: string } | undefined
    let outOfTime = false
    // A slice is claimed and sent a chunk at a time, so claims never run far ahead of sends.
    for (let at = 0; at < slice.length && !retry && !outOfTime; at += CLAIM_CHUNK) {
      if (now() - started > budget) {
        outOfTime = true
        break
      }
      // Claimed before anything is sent: someone else's claim (an earlier attempt) means not ours.
      const held = await claimSends(
        tenantId,
        c.id,
        slice.slice(at, at + CLAIM_CHUNK).map((rec, i) => ({
          contactId: rec.contactId,
          email: rec.email as string,
          variantId: chosen.variantIds[at + i] as string,
        })),
        claimToken,
      )
      await pool(held, SEND_CONCURRENCY, async (send) => {
        // Once SES throttled, or the time budget is spent (a slow SES or table must not carry the
        // attempt past its visibility timeout), the rest of the chunk is released for the repeat.
        if (!retry && now() - started > budget) outOfTime = true
        if (retry || outOfTime) {
          await releaseClaim(tenantId, send)
          return
        }
        const r = await sendOne(byContact.get(send.contactId) as AudienceRecord, send)
        if (r === 'sent') counts.sent++
        else if (r === 'failed') counts.failed++
        else retry = r
      })
    }
    if (retry) return { kind: 'again', counts, delaySeconds: retry.retryAfterSeconds, reason: retry.reason }
    if (outOfTime) return { kind: 'again', counts, delaySeconds: 0, reason: 'time budget spent' }
    todo = todo.slice(slice.length)
    if (chosen.variantIds.length < granted && todo.length)
      return {
        kind: 'again',
        counts,
        delaySeconds: chosen.retryAfterSeconds ?? 60,
        reason: 'held for the A/B decision',
      }
  }
  counts.skipped = walk.skipped
  return { kind: 'done', counts, nextCursor: walk.nextCursor }
}
