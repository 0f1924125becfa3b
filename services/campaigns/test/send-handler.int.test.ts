/**
 * The send job's worker on DynamoDB Local with SES faked (aws-sdk-client-mock): throttling and
 * failures retried later and never double-sent, a crash mid-batch repeated without a second email
 * or a skipped recipient, the tenant's rate kept, opted-out and suppressed contacts left out.
 */
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses'
import type { Campaign } from '@relay/contracts/campaigns'
import { newId } from '@relay/core/ids'
import { createLogger } from '@relay/core/log'
import { resetSesClient } from '@relay/core/mail'
import type { SQSEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as onContactEvent } from '../src/handlers/on-contact-event.js'
import { handler as sendCampaign } from '../src/handlers/send-campaign.js'
import { runBatch } from '../src/send-batch.js'
import type { SendMessage } from '../src/send-queue.js'
import { manifest } from '../src/service.js'
import { cancelCampaign, getCampaign, insertCampaign, scheduleCampaign } from '../src/store/campaigns.js'
import { insertSegment } from '../src/store/segments.js'
import { putSendingSettings } from '../src/store/sending.js'
import { listSends } from '../src/store/sends.js'
import { suppress } from '../src/store/suppressions.js'
import { insertTemplate } from '../src/store/templates.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const AT = '2026-03-01T10:00:00.000Z'
const ses = mockClient(SESClient)

let seq = 0
/** One SQS delivery as the queue publisher sends it: the outbox item's id as the stable id. */
function queued(body: SendMessage, stableId = newId()): SQSEvent {
  const messageId = `sqs-${++seq}`
  return {
    Records: [
      {
        messageId,
        receiptHandle: `rh-${messageId}`,
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: '000000000000',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: { 'relay-message-id': { stringValue: stableId, dataType: 'String' } },
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
        awsRegion: 'us-east-1',
      },
    ],
  }
}

const contact = (id: string, email: string, firstName: string) => ({
  id,
  displayName: firstName,
  firstName,
  emails: [{ address: email, primary: true }],
  phones: [],
  tags: ['spring'],
  ownerId: 'u-1',
  version: 1,
  createdAt: AT,
  updatedAt: AT,
})

/** A tenant with `n` consenting contacts, one who opted out and one suppressed, a segment, a template. */
async function tenantWithAudience(n: number) {
  const tenantId = `t-${newId().slice(-8).toLowerCase()}`
  const deliver = (detailType: string, data: unknown) =>
    onContactEvent(busEvent({ source: 'crm.contacts', detailType, data, tenantId }))
  const consenting: { id: string; email: string }[] = []
  for (let i = 0; i < n; i++) {
    const id = newId()
    const email = `p${i}@example.com`
    consenting.push({ id, email })
    await deliver('Contact.Created', contact(id, email, `P${i}`))
    await deliver('Contact.ConsentChanged', {
      id,
      version: 2,
      channel: 'email',
      after: { status: 'granted', at: AT, source: 'form', legalBasis: 'consent' },
    })
  }
  const optedOut = newId()
  await deliver('Contact.Created', contact(optedOut, 'no@example.com', 'No'))
  await deliver('Contact.ConsentChanged', {
    id: optedOut,
    version: 2,
    channel: 'email',
    after: { status: 'withdrawn', at: AT, source: 'form', legalBasis: 'consent' },
  })
  const suppressedId = newId()
  await deliver('Contact.Created', contact(suppressedId, 'gone@example.com', 'Gone'))
  await deliver('Contact.ConsentChanged', {
    id: suppressedId,
    version: 2,
    channel: 'email',
    after: { status: 'granted', at: AT, source: 'form', legalBasis: 'consent' },
  })
  await suppress(tenantId, { email: 'gone@example.com', reason: 'bounce', source: 'test', at: AT })
  const segment = await insertSegment(
    tenantId,
    { name: 'Spring', rule: { type: 'tag', op: 'hasAny', values: ['spring'] } },
    'u-1',
  )
  const template = await insertTemplate(tenantId, {
    name: 'Spring',
    subject: 'Hi {{ contact.firstName }}',
    html: '<p>Hi {{ contact.firstName }}</p><a href="https://shop.test/spring">Shop</a>',
  })
  return { tenantId, consenting, segment, template }
}

async function scheduled(tenantId: string, segmentId: string, templateId: string): Promise<Campaign> {
  const draft = await insertCampaign(
    tenantId,
    { name: 'Spring', segmentId, variants: [{ name: 'A', templateId }] },
    'u-1',
  )
  return scheduleCampaign(tenantId, draft.id, undefined, undefined, 'corr-1')
}

/** The recipient of each SendRawEmail call so far. */
const recipientsSent = () =>
  ses.commandCalls(SendRawEmailCommand).map((c) => {
    const raw = Buffer.from(c.args[0].input.RawMessage?.Data as Uint8Array).toString('utf8')
    return /^To: (.+)$/m.exec(raw)?.[1]?.trim()
  })

const logger = createLogger('campaigns-test')

describe('the campaign send worker (SES faked, DynamoDB Local)', () => {
  let name: string
  beforeAll(async () => {
    name = await createServiceTable(STAGE, manifest)
    process.env.LINK_SIGNING_SECRET = 'x'.repeat(40)
    process.env.PUBLIC_BASE_URL = 'https://api.test'
    process.env.MAIL_FROM = 'Relay <no-reply@relay.test>'
    resetSesClient()
  })
  afterEach(() => ses.reset())
  afterAll(() => dropTable(name))

  it('starts, sends each consenting, unsuppressed member once, and completes', async () => {
    const { tenantId, consenting, segment, template } = await tenantWithAudience(4)
    const c = await scheduled(tenantId, segment.id, template.id)
    let n = 0
    ses.on(SendRawEmailCommand).callsFake(async () => ({ MessageId: `ses-${++n}` }))
    const start = await sendCampaign(
      queued({ step: 'start', tenantId, campaignId: c.id, correlationId: 'c' }),
    )
    expect(start.batchItemFailures).toEqual([])
    expect((await getCampaign(tenantId, c.id))?.status).toBe('sending')
    const batch = await sendCampaign(
      queued({ step: 'batch', tenantId, campaignId: c.id, correlationId: 'c', batch: 0, attempt: 0 }),
    )
    expect(batch.batchItemFailures).toEqual([])
    expect(recipientsSent().sort()).toEqual(consenting.map((r) => r.email).sort())
    const done = await getCampaign(tenantId, c.id)
    expect(done).toMatchObject({ status: 'sent', progress: { sent: 4, failed: 0, skipped: 2 } })
    const sends = await listSends(tenantId, c.id, { limit: 100 })
    expect(sends.items.map((s) => s.status)).toEqual(['sent', 'sent', 'sent', 'sent'])
    // The message carries the RFC 8058 headers and the tenant/campaign/contact tags SES echoes back.
    const input = ses.commandCalls(SendRawEmailCommand)[0]!.args[0].input
    // Headers unfolded (a long URL is folded onto the next line).
    const raw = Buffer.from(input.RawMessage?.Data as Uint8Array)
      .toString('utf8')
      .replace(/\r\n[ \t]+/g, ' ')
    expect(raw).toMatch(
      /^List-Unsubscribe: +<https:\/\/api\.test\/public\/unsubscribe\/[\w-]+\.[\w-]+\.[\w-]+>/m,
    )
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m)
    expect(input.Tags?.map((t) => t.Name).sort()).toEqual(['c', 'k', 't'])
  })

  it('SES throttling: the claim is released, the batch comes again later, nobody is sent twice', async () => {
    const { tenantId, consenting, segment, template } = await tenantWithAudience(5)
    const c = await scheduled(tenantId, segment.id, template.id)
    await sendCampaign(queued({ step: 'start', tenantId, campaignId: c.id, correlationId: 'c' }))
    let calls = 0
    ses.on(SendRawEmailCommand).callsFake(async () => {
      calls++
      if (calls === 3)
        throw Object.assign(new Error('Maximum sending rate exceeded.'), {
          name: 'Throttling',
          $metadata: { httpStatusCode: 400 },
        })
      return { MessageId: `ses-${calls}` }
    })
    const first = await runBatch((await getCampaign(tenantId, c.id))!, tenantId, {
      logger,
      correlationId: 'c',
    })
    expect(first.kind).toBe('again')
    if (first.kind !== 'again') return
    expect(first.delaySeconds).toBeGreaterThan(0)
    const afterFirst = await listSends(tenantId, c.id, { limit: 100 })
    // The throttled recipient holds no record: it is free for the repeat.
    expect(afterFirst.items.every((s) => s.status === 'sent')).toBe(true)
    expect(afterFirst.items.length).toBe(first.counts.sent)
    const second = await runBatch((await getCampaign(tenantId, c.id))!, tenantId, {
      logger,
      correlationId: 'c',
    })
    expect(second.kind).toBe('done')
    const accepted = recipientsSent()
    // Every call but the throttled one reached SES; each address accepted exactly once.
    const acceptedOnce = accepted.filter((_, i) => i !== 2)
    expect(new Set(acceptedOnce).size).toBe(acceptedOnce.length)
    expect([...acceptedOnce].sort()).toEqual(consenting.map((r) => r.email).sort())
  })

  it('a refused message fails only its recipient; a call cut off is never re-sent', async () => {
    const { tenantId, segment, template } = await tenantWithAudience(3)
    const c = await scheduled(tenantId, segment.id, template.id)
    await sendCampaign(queued({ step: 'start', tenantId, campaignId: c.id, correlationId: 'c' }))
    let calls = 0
    ses.on(SendRawEmailCommand).callsFake(async () => {
      calls++
      if (calls === 1)
        throw Object.assign(new Error('Address blacklisted.'), {
          name: 'MessageRejected',
          $metadata: { httpStatusCode: 400 },
        })
      if (calls === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
      return { MessageId: `ses-${calls}` }
    })
    const out = await runBatch((await getCampaign(tenantId, c.id))!, tenantId, { logger, correlationId: 'c' })
    expect(out).toMatchObject({ kind: 'done', counts: { sent: 1, failed: 2 } })
    const statuses = (await listSends(tenantId, c.id, { limit: 100 })).items.map((s) => s.status).sort()
    expect(statuses).toEqual(['failed', 'sent', 'uncertain'])
    // The repeat of the same batch (a redelivery) sends to no one: everyone has a record.
    const again = await runBatch((await getCampaign(tenantId, c.id))!, tenantId, {
      logger,
      correlationId: 'c',
    })
    expect(again).toMatchObject({ kind: 'done', counts: { sent: 0, failed: 0 } })
    expect(calls).toBe(3)
  })

  it('a crash mid-batch (nothing committed): the redelivered message sends the rest, no one twice', async () => {
    const { tenantId, consenting, segment, template } = await tenantWithAudience(6)
    await putSendingSettings(tenantId, { ratePerSecond: 2 }, undefined)
    const c = await scheduled(tenantId, segment.id, template.id)
    await sendCampaign(queued({ step: 'start', tenantId, campaignId: c.id, correlationId: 'c' }))
    let n = 0
    ses.on(SendRawEmailCommand).callsFake(async () => ({ MessageId: `ses-${++n}` }))
    // The clock stops the process after its second tick: like a function killed mid-batch.
    let ticks = 0
    const dying = () => {
      if (ses.commandCalls(SendRawEmailCommand).length >= 2 && ++ticks > 3) throw new Error('killed')
      return Date.now()
    }
    await expect(
      runBatch((await getCampaign(tenantId, c.id))!, tenantId, { logger, correlationId: 'c', now: dying }),
    ).rejects.toThrow('killed')
    const sentBefore = recipientsSent().length
    expect(sentBefore).toBeGreaterThanOrEqual(2)
    expect(sentBefore).toBeLessThan(6)
    // The same message again (no dedupe record: it was never committed), through the worker.
    const message: SendMessage = {
      step: 'batch',
      tenantId,
      campaignId: c.id,
      correlationId: 'c',
      batch: 0,
      attempt: 0,
    }
    const started = Date.now()
    expect((await sendCampaign(queued(message))).batchItemFailures).toEqual([])
    const all = recipientsSent()
    expect(new Set(all).size).toBe(all.length)
    expect([...all].sort()).toEqual(consenting.map((r) => r.email).sort())
    // At 2 a second, the remaining recipients took at least one more second: the rate was kept.
    if (6 - sentBefore > 2) expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    expect((await getCampaign(tenantId, c.id))?.status).toBe('sent')
  })

  it('a cancelled campaign sends nothing more', async () => {
    const { tenantId, segment, template } = await tenantWithAudience(2)
    const c = await scheduled(tenantId, segment.id, template.id)
    await sendCampaign(queued({ step: 'start', tenantId, campaignId: c.id, correlationId: 'c' }))
    await cancelCampaign(tenantId, c.id, 'oops', undefined, 'c')
    ses.on(SendRawEmailCommand).resolves({ MessageId: 'x' })
    await sendCampaign(
      queued({ step: 'batch', tenantId, campaignId: c.id, correlationId: 'c', batch: 0, attempt: 0 }),
    )
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(0)
    expect((await getCampaign(tenantId, c.id))?.status).toBe('cancelled')
  })
})
