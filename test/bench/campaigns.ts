/**
 * Campaigns figures for `npm run bench`: a campaign sent to 100 000 recipients through the whole
 * local stack (the send job on the local SQS queue, every message through the local SES endpoint,
 * its SES events back on the bus): time from schedule to `sent`, recipients a second, and peak
 * memory; and the segment preview's latency over the same 100 000-contact audience.
 *
 * The audience is seeded straight into campaigns' table (the projection's item shape, as its
 * subscriber writes it): replaying 100 000 Contact.Created events through contacts would measure
 * contacts, not the send.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { LocalRuntime } from '@relay/local/runtime'
import { audienceKey } from '../../services/campaigns/src/store/audience.js'
import { type Call, seedTable } from './seed.js'
import { fmtMs, percentile } from './stats.js'

export interface BenchCampaignsOptions {
  /** Recipients of the campaign; default 100 000. */
  recipients?: number
  /** Contacts of the audience (the preview's and the send walk's size); default max(recipients, 100 000). */
  audience?: number
  /** Segment preview samples after one warm-up (default 3: each reads the whole audience). */
  previewSamples?: number
  /** The tenant's sending rate, messages a second (default 1 000, the most a tenant may set). */
  ratePerSecond?: number
  progress?: (line: string) => void
  /** The runtime's data folder (the local SES mailbox is `<dataDir>/mail`). */
  dataDir: string
}

const FIRST = ['Anna', 'Bartosz', 'Chloé', 'Dafydd', 'Emeka', 'Fatima', 'Grace', 'Hiroshi', 'Ines', 'João']

/**
 * Seeds `count` audience records of `tenantId`, every one with email consent and tag `bench`; the
 * first `recipients` also tag `send` (the campaign's segment).
 */
function seedAudience(
  runtime: LocalRuntime,
  tenantId: string,
  count: number,
  recipients: number,
  progress: (l: string) => void,
) {
  return seedTable(
    runtime,
    'campaigns',
    count,
    (i) => {
      const contactId = `01JAUD${String(i).padStart(20, '0')}`
      return [
        {
          ...audienceKey(tenantId, contactId),
          kind: 'audience',
          rev: 1,
          e: `aud${i}@bench.example`,
          fn: `${FIRST[i % FIRST.length]}${i}`,
          tg: i < recipients ? ['bench', 'send'] : ['bench'],
          cs: { email: 'granted' },
          fv: {},
        },
      ]
    },
    (done) => progress(`seeded ${done}/${count} audience records`),
  )
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

/** Runs the campaigns figures; `call` carries an admin token of tenant `bench`. */
export async function benchCampaigns(
  runtime: LocalRuntime,
  call: Call,
  options: BenchCampaignsOptions,
): Promise<string[]> {
  const recipients = options.recipients ?? 100_000
  const audience = Math.max(recipients, options.audience ?? 100_000)
  const progress = options.progress ?? (() => {})
  const lines: string[] = []
  const seedMs = await seedAudience(runtime, 'bench', audience, recipients, progress)
  progress(`seeded ${audience} audience records in ${(seedMs / 1000).toFixed(1)} s`)

  const segment = (
    await call('POST', '/segments', {
      name: 'Bench',
      rule: { type: 'tag', op: 'hasAny', values: ['bench'] },
    })
  ).json
  const times: number[] = []
  let count = 0
  let timedOut = 0
  const previewSamples = options.previewSamples ?? 3
  for (let i = 0; i < previewSamples + 1; i++) {
    const t = performance.now()
    try {
      const { json } = await call('GET', `/segments/${segment.id}/preview?sample=10`)
      count = json.count
    } catch (err) {
      // The preview function's own limit (29 s) answers 504: a figure too, not a failed bench.
      if (!/→ 504/.test((err as Error).message)) throw err
      timedOut++
    }
    if (i > 0) times.push(performance.now() - t)
  }
  progress(
    `preview at ${audience}: ${times.map((t) => fmtMs(t)).join(', ')}${timedOut ? ` (${timedOut} × 504)` : ''}`,
  )
  lines.push(
    `Segment preview GET /segments/{id}/preview at ${audience} contacts (count ${count}), n=${previewSamples}: ` +
      `p50 ${fmtMs(percentile(times, 50))}, p99 ${fmtMs(percentile(times, 99))}` +
      (timedOut ? ` (${timedOut} of ${previewSamples + 1} answered 504 at the function's 29 s limit)` : ''),
  )

  const rate = options.ratePerSecond ?? 1000
  await call('PUT', '/settings/email-sending', { ratePerSecond: rate })
  const template = (
    await call('POST', '/templates', {
      name: 'Bench',
      subject: 'Hello {{ contact.firstName | default: "there" }}',
      html: '<p>Hi {{ contact.firstName | default: "there" }},</p><p><a href="https://shop.example/a">A</a> <a href="https://shop.example/b">B</a></p>',
    })
  ).json
  const recipientsSegment = (
    await call('POST', '/segments', {
      name: 'Bench send',
      rule: { type: 'tag', op: 'hasAny', values: ['send'] },
    })
  ).json
  const campaign = (
    await call('POST', '/campaigns', {
      name: 'Bench',
      segmentId: recipientsSegment.id,
      variants: [{ name: 'A', templateId: template.id }],
    })
  ).json

  const rssBefore = process.memoryUsage().rss
  let peak = rssBefore
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 100)
  // The clock runs from Campaign.Started: seeding straight into the table put its 100 000 items on
  // the table's stream ahead of the schedule's start message, and that lag is the emulator's.
  let startedAt: number | undefined
  const onPublished = ({ event }: { event: { 'detail-type': string; detail: unknown } }) => {
    const data = (event.detail as { data?: { campaignId?: string } }).data
    if (event['detail-type'] === 'Campaign.Started' && data?.campaignId === campaign.id)
      startedAt ??= performance.now()
  }
  runtime.bus.on('published', onPublished)
  const scheduledAt = performance.now()
  let c = (await call('POST', `/campaigns/${campaign.id}/schedule`, {})).json
  let lastNote = 0
  try {
    while (c.status !== 'sent' && c.status !== 'cancelled') {
      await new Promise((r) => setTimeout(r, 1000))
      c = (await call('GET', `/campaigns/${campaign.id}`)).json
      if (performance.now() - lastNote > 15_000) {
        lastNote = performance.now()
        progress(`send: ${c.progress?.sent ?? 0}/${recipients} sent`)
      }
    }
  } finally {
    clearInterval(sampler)
    runtime.bus.off('published', onPublished)
  }
  const started = startedAt ?? scheduledAt
  const seconds = (performance.now() - started) / 1000
  progress(
    `start came ${((started - scheduledAt) / 1000).toFixed(1)} s after the schedule (stream lag behind the seeding)`,
  )
  const mails = (await readdir(join(options.dataDir, 'mail')).catch(() => [])).length
  lines.push(
    `Campaign to ${recipients} of ${audience} contacts at ${rate}/s allowed (send queue → local SES, from Campaign.Started): ${c.status} in ${seconds.toFixed(1)} s = ` +
      `${Math.round((c.progress?.sent ?? 0) / seconds)} recipients/s (sent ${c.progress?.sent}, failed ${c.progress?.failed}, ` +
      `skipped ${c.progress?.skipped}; ${mails} messages in the local mailbox)`,
  )
  lines.push(
    `Send peak memory (this process: gateway, queues, handlers and SES in-process): RSS ${mb(rssBefore)} before, peak ${mb(peak)} sampled, ` +
      `maxRSS ${mb(process.resourceUsage().maxRSS * 1024)} since start`,
  )
  return lines
}
