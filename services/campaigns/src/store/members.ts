/**
 * Segment membership over the audience projection (store/audience.ts), evaluated when asked and
 * never stored: the preview (every member counted, a sample shown) and the send-time walk, one page
 * of recipients at a time. Both leave out whoever campaign email may not reach: no address, email
 * consent not granted, or the address on the suppression list.
 *
 * Access patterns: those of store/audience.ts (4, 5) and store/suppressions.ts (3, 5); nothing of
 * its own.
 */
import type { AudienceMember, SegmentPreview, SegmentRule } from '@relay/contracts/campaigns'
import { type AudienceRecord, unreachable } from '../domain/audience.js'
import { compile } from '../domain/segment.js'
import { attributesFor, audiencePage, forEachAudiencePage, getAudienceRecords } from './audience.js'
import { suppressedAmong, suppressionSet } from './suppressions.js'

/** A member as a preview shows them. */
export function memberView(rec: AudienceRecord): AudienceMember {
  return {
    contactId: rec.contactId,
    email: rec.email ?? '',
    ...(rec.firstName ? { firstName: rec.firstName } : {}),
    ...(rec.lastName ? { lastName: rec.lastName } : {}),
    ...(rec.displayName ? { displayName: rec.displayName } : {}),
    tags: rec.tags,
    ...(rec.lifecycleStage ? { lifecycleStage: rec.lifecycleStage } : {}),
    ...(rec.tier ? { tier: rec.tier } : {}),
  }
}

/**
 * The preview of a rule now: who would receive a campaign (count and the `sample` newest of them),
 * whom the rule matches, and why the difference is left out. Reads the whole audience (only the
 * attributes the rule needs), the suppression list (keys only), then the sample's records.
 */
export async function previewSegment(
  tenantId: string,
  segmentId: string | undefined,
  rule: SegmentRule,
  opts: { sample: number; nowMs?: number },
): Promise<SegmentPreview> {
  const started = Date.now()
  const nowMs = opts.nowMs ?? started
  const test = compile(rule)
  const suppressed = await suppressionSet(tenantId)
  let matched = 0
  let count = 0
  const excluded = { noEmail: 0, noConsent: 0, suppressed: 0 }
  // The ids of the `sample` newest members (highest ULIDs), whatever order the shards answer in;
  // their records are read whole at the end (the walk reads only what the rule needs).
  const sample: string[] = []
  const scanned = await forEachAudiencePage(
    tenantId,
    (records) => {
      for (const rec of records) {
        if (rec.deleted || !test(rec, nowMs)) continue
        matched++
        const why = unreachable(rec)
        if (why === 'noEmail' || why === 'noConsent') {
          excluded[why]++
          continue
        }
        if (suppressed.has(rec.email as string)) {
          excluded.suppressed++
          continue
        }
        count++
        if (opts.sample === 0) continue
        if (sample.length < opts.sample || rec.contactId > (sample.at(-1) as string)) {
          sample.push(rec.contactId)
          sample.sort((a, b) => (a < b ? 1 : -1))
          if (sample.length > opts.sample) sample.pop()
        }
      }
    },
    attributesFor(rule),
  )
  return {
    ...(segmentId ? { segmentId } : {}),
    count,
    matched,
    excluded,
    sample: (await getAudienceRecords(tenantId, sample)).map(memberView),
    evaluatedAt: new Date(nowMs).toISOString(),
    scanned,
    tookMs: Date.now() - started,
  }
}

/** One page of a send's walk over a segment. */
export interface RecipientPage {
  /** Members the rule matches who may receive campaign email now, in contact-id order per shard. */
  recipients: AudienceRecord[]
  /** Where the walk goes on; absent once the audience is done. */
  nextCursor?: string
  /** Audience items read for this page. */
  scanned: number
  /** Matched but left out: no address, no email consent, suppressed. */
  skipped: { noEmail: number; noConsent: number; suppressed: number }
}

/**
 * The send-time walk (for the campaign sender): reads up to `limit` audience items from `cursor`
 * (1..1000; shard by shard, or one shard when `shard` is given, so a send can fan out per shard)
 * and returns the recipients among them. A page can hold no recipient and still have a
 * `nextCursor`: go on until it is absent. The same cursor always reads the same items again, so a
 * send that checkpoints the cursor after each page and dedupes on its send records neither skips
 * nor repeats anyone after a restart.
 */
export async function segmentRecipientsPage(
  tenantId: string,
  rule: SegmentRule,
  opts: { cursor?: string | undefined; limit?: number; shard?: number; nowMs?: number } = {},
): Promise<RecipientPage> {
  const limit = Math.max(1, Math.min(1000, Math.floor(opts.limit ?? 500)))
  const nowMs = opts.nowMs ?? Date.now()
  const test = compile(rule)
  const page = await audiencePage(tenantId, { cursor: opts.cursor, limit, shard: opts.shard })
  const skipped = { noEmail: 0, noConsent: 0, suppressed: 0 }
  const candidates: AudienceRecord[] = []
  for (const rec of page.records) {
    if (rec.deleted || !test(rec, nowMs)) continue
    const why = unreachable(rec)
    if (why === 'noEmail' || why === 'noConsent') skipped[why]++
    else candidates.push(rec)
  }
  // Looked up now, page by page: an address suppressed while the send runs is still left out.
  const suppressed = candidates.length
    ? await suppressedAmong(
        tenantId,
        candidates.map((r) => r.email as string),
      )
    : new Set<string>()
  const recipients = candidates.filter((r) => !suppressed.has(r.email as string))
  skipped.suppressed = candidates.length - recipients.length
  return {
    recipients,
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    scanned: page.records.length,
    skipped,
  }
}
