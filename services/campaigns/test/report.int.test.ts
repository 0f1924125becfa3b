/**
 * Campaign reports on DynamoDB Local: the campaign's own email activity through the real worker
 * of queue email-activity (dedupe by message id, unique opens and clicks per recipient), conversions from purchases and won
 * deals credited to the click before them, the A/B decision promoted once, and GET
 * /campaigns/{id}/report answering each variant's numbers and the decision.
 */
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { context, httpEvent, parse } from '../../../test/support/http-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as countEmailEvent } from '../src/handlers/count-email-event.js'
import { handler as getReport } from '../src/handlers/get-campaign-report.js'
import { handler as onConversion } from '../src/handlers/on-conversion.js'
import { manifest } from '../src/service.js'
import { getCampaign, insertCampaign } from '../src/store/campaigns.js'
import { planVariants, variantChooser } from '../src/store/variants.js'
import { dealWon } from './deal-events.js'
import { sqsEvent } from './sqs-event.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`

let table: string
beforeAll(async () => {
  table = await createServiceTable(STAGE, manifest)
})
afterAll(() => dropTable(table))

async function newCampaign(t: string, ab: Record<string, unknown>) {
  return insertCampaign(
    t,
    {
      name: 'Spring',
      segmentId: newId(),
      variants: [
        { name: 'Plain', templateId: newId() },
        { name: 'Bold', templateId: newId(), subject: 'Last chance' },
      ],
      ab: ab as never,
    },
    'u-1',
  )
}

const at = (day: number, hour = 10) =>
  `2026-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`

function email(
  t: string,
  detailType: string,
  c: { id: string },
  variantId: string,
  contactId: string,
  extra = {},
) {
  const data = {
    campaignId: c.id,
    variantId,
    contactId,
    email: `${contactId}@example.com`,
    sendId: `${c.id}#${contactId}`,
    occurredAt: at(1),
    ...(detailType === 'Email.Bounced' ? { bounceType: 'Permanent', suppressed: true } : {}),
    ...extra,
  }
  return activity(busEvent({ source: 'crm.campaigns', detailType, data, tenantId: t }))
}

/**
 * The email-activity message the store writes with an event (queues.ts), as SQS delivers it: one
 * message id per call, so delivering the same value twice is a redelivery.
 */
function activity(e: ReturnType<typeof busEvent>) {
  const { id, tenantId, occurredAt, correlationId, data } = e.detail
  return sqsEvent(newId(), { id, detailType: e['detail-type'], tenantId, occurredAt, correlationId, data })
}

async function report(t: string, id: string) {
  const res = parse(
    await getReport(
      httpEvent({
        method: 'GET',
        path: `/campaigns/${id}/report`,
        params: { id },
        tenant: t,
        roles: ['viewer'],
      }),
      context,
    ),
  )
  expect(res.status).toBe(200)
  return res.body
}

async function outbox(t: string, detailType: string) {
  const out = await documentClient().send(
    new ScanCommand({
      TableName: table,
      FilterExpression: 'begins_with(pk, :p) AND detailType = :d',
      ExpressionAttributeValues: { ':p': tenantKey(t, 'OUTBOX'), ':d': detailType },
    }),
  )
  return out.Items ?? []
}

describe('campaign report on DynamoDB Local', () => {
  it('counts each event once, opens and clicks once per recipient, and rates per variant', async () => {
    const t = tenant()
    const c = await newCampaign(t, { mode: 'test-then-winner', goal: 'click', testPercent: 20 })
    const [A, B] = c.variants.map((v) => v.id) as [string, string]
    for (const n of [1, 2, 3, 4]) await countEmailEvent(email(t, 'Email.Sent', c, A, `a${n}`))
    for (const n of [1, 2, 3, 4]) await countEmailEvent(email(t, 'Email.Sent', c, B, `b${n}`))
    for (const n of [1, 2, 3]) await countEmailEvent(email(t, 'Email.Delivered', c, A, `a${n}`))
    await countEmailEvent(email(t, 'Email.Bounced', c, A, 'a4'))
    // a1 opens twice and the first open is delivered twice: one unique open.
    const open = email(t, 'Email.Opened', c, A, 'a1')
    await countEmailEvent(open)
    await countEmailEvent(open)
    await countEmailEvent(email(t, 'Email.Opened', c, A, 'a1'))
    // b1 and b2 click without the pixel loading (a click is an open too); b1 clicks two links.
    await countEmailEvent(email(t, 'Email.Clicked', c, B, 'b1', { url: 'https://x.test/1' }))
    await countEmailEvent(email(t, 'Email.Clicked', c, B, 'b1', { url: 'https://x.test/2' }))
    await countEmailEvent(email(t, 'Email.Clicked', c, B, 'b2', { url: 'https://x.test/1' }))
    await countEmailEvent(email(t, 'Email.Complained', c, B, 'b3'))
    await countEmailEvent(email(t, 'Email.Unsubscribed', c, B, 'b4'))
    await countEmailEvent(email(t, 'Email.Unsubscribed', c, B, 'b4'))
    // Another sender's open, with no campaign: counted nowhere.
    await countEmailEvent(
      activity(
        busEvent({
          source: 'crm.campaigns',
          detailType: 'Email.Opened',
          data: { email: 'x@y.z' },
          tenantId: t,
        }),
      ),
    )

    const r = await report(t, c.id)
    const [ra, rb] = r.variants
    expect(ra).toMatchObject({
      variantId: A,
      name: 'Plain',
      sent: 4,
      delivered: 3,
      bounces: 1,
      uniqueOpens: 1,
      openRate: 0.3333,
    })
    expect(rb).toMatchObject({
      variantId: B,
      sent: 4,
      delivered: 0,
      uniqueOpens: 2,
      uniqueClicks: 2,
      clicks: 3,
      complaints: 1,
      unsubscribes: 1,
      clickThroughRate: 0.5,
      clickToOpenRate: 1,
    })
    expect(r.totals).toMatchObject({ sent: 8, uniqueOpens: 3, uniqueClicks: 2 })
    expect(r.ab).toMatchObject({ mode: 'test-then-winner', goal: 'click', status: 'testing' })
    expect(r.decision).toBeUndefined()
    expect(r.attributionWindowDays).toBe(7)
  })

  it('credits a purchase or a won deal to the click before it within the window, a recipient once', async () => {
    const t = tenant()
    const c = await newCampaign(t, { mode: 'bandit', goal: 'conversion' })
    const B = c.variants[1]?.id as string
    await countEmailEvent(email(t, 'Email.Sent', c, B, 'k1'))
    await countEmailEvent(email(t, 'Email.Clicked', c, B, 'k1', { occurredAt: at(1) }))
    const purchase = (day: number, amountMinor: number) =>
      busEvent({
        source: 'crm.contacts',
        detailType: 'Interaction.Logged',
        tenantId: t,
        data: {
          id: newId(),
          contactId: 'k1',
          type: 'purchase',
          occurredAt: at(day),
          summary: 'Order',
          amount: { amountMinor, currency: 'EUR' },
          loggedBy: 'u-1',
          loggedAt: at(day),
        },
      })
    const first = purchase(3, 4_500)
    await onConversion(first)
    await onConversion(first) // redelivered: counted once
    await onConversion(purchase(5, 500)) // same recipient: revenue, not a second conversion
    await onConversion(purchase(9, 1_000)) // 8 days after the click: outside the 7-day window
    const won = (contactId: string, closedAt: string) =>
      dealWon(t, contactId, closedAt, { amountMinor: 10_000, currency: 'USD' })
    await onConversion(won('k1', at(2)))
    await onConversion(won('nobody-clicked', at(2)))

    const rb = (await report(t, c.id)).variants[1]
    expect(rb).toMatchObject({ conversions: 1, conversionRate: 1 })
    expect(rb.revenue).toEqual([
      { currency: 'EUR', amountMinor: 5_000 },
      { currency: 'USD', amountMinor: 10_000 },
    ])
  })

  it('holds after the test slice, then promotes the winner once (Variant.Promoted) and sends it to the rest', async () => {
    const t = tenant()
    const c = await newCampaign(t, {
      mode: 'test-then-winner',
      goal: 'click',
      testPercent: 20,
      decideAfterMinutes: 60,
    })
    const [A, B] = c.variants.map((v) => v.id) as [string, string]
    // The audience size is counted once when the send begins; here it is set directly (100).
    await documentClient().send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: tenantKey(t, 'CAMPAIGN', c.id), sk: 'AB' },
        UpdateExpression: 'SET recipients = :n',
        ExpressionAttributeValues: { ':n': 100 },
      }),
    )
    const sending = { ...c, segmentId: c.segmentId, progress: { sent: 0, skipped: 0, failed: 0 } }
    // One run of a batch asks second by second: the chooser counts what it gave out in this run.
    const choose = variantChooser('corr-1')
    const first = await choose(sending, t, 14)
    const second = await choose(sending, t, 14)
    expect(first.variantIds).toHaveLength(14)
    expect(second.variantIds).toHaveLength(6) // the slice is 20 of 100
    expect(second.retryAfterSeconds).toBe(900) // a 60-minute wait is reached in 15-minute hops
    expect([...first.variantIds, ...second.variantIds].filter((v) => v === A)).toHaveLength(10)

    for (const n of [1, 2, 3]) await countEmailEvent(email(t, 'Email.Clicked', c, B, `b${n}`))
    for (let n = 0; n < 10; n++) {
      await countEmailEvent(email(t, 'Email.Sent', c, A, `a${n}`))
      await countEmailEvent(email(t, 'Email.Sent', c, B, `b${n}`))
    }
    await countEmailEvent(email(t, 'Email.Clicked', c, A, 'a1'))
    const after = { ...sending, progress: { sent: 20, skipped: 0, failed: 0 } }
    const early = await planVariants(t, after, 10, 'corr-2', {
      now: new Date(Date.now() + 30 * 60_000).toISOString(),
    })
    expect(early.variantIds).toEqual([])
    expect((await report(t, c.id)).ab.status).toBe('waiting')

    const later = new Date(Date.now() + 61 * 60_000).toISOString()
    const [p1, p2] = await Promise.all([
      planVariants(t, after, 10, 'corr-3', { now: later }),
      planVariants(t, after, 10, 'corr-4', { now: later }),
    ])
    expect(p1.variantIds).toEqual(Array(10).fill(B))
    expect(p2.variantIds).toEqual(Array(10).fill(B))
    expect((await getCampaign(t, c.id))?.ab.winnerVariantId).toBe(B)
    const promoted = await outbox(t, 'Variant.Promoted')
    expect(promoted).toHaveLength(1)
    expect(promoted[0]?.detail.data).toMatchObject({
      campaignId: c.id,
      variantId: B,
      goal: 'click',
      method: 'test-then-winner',
      figures: [
        { variantId: A, sent: 10, successes: 1 },
        { variantId: B, sent: 10, successes: 3 },
      ],
    })
    const r = await report(t, c.id)
    expect(r.ab.status).toBe('promoted')
    expect(r.decision).toMatchObject({ variantId: B, method: 'test-then-winner', goal: 'click' })
  })
})
