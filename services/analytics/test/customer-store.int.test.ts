import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { context, httpEvent, parse } from '../../../test/support/http-events.js'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { handler as getScores } from '../src/handlers/get-customer-scores.js'
import { handler as onActivity } from '../src/handlers/on-customer-activity.js'
import { handler as onErased } from '../src/handlers/on-customer-erased.js'
import { handler as onMerged } from '../src/handlers/on-customer-merged.js'
import { handler as onWarning } from '../src/handlers/on-early-warning.js'
import { handler as scoreCustomers } from '../src/handlers/score-customers.js'
import { manifest } from '../src/service.js'
import { customersTable } from '../src/store/customers.js'
import { deal } from './fixtures.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const DAY = 86_400_000
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString()

const product = (productId: string, unitPriceMinor: number) => ({
  productId,
  name: `Product ${productId}`,
  sku: productId,
  quantity: 1,
  unitPriceMinor,
  discountPercent: 0,
  totalMinor: unitPriceMinor,
  currency: 'USD',
})

function dealWon(tenantId: string, contactId: string, daysAgo: number, items: string[], id = newId()) {
  const lineItems = items.map((p) => product(p, p === 'PREMIUM' ? 90_000 : 10_000))
  return busEvent({
    source: 'crm.pipeline',
    detailType: 'Deal.Won',
    tenantId,
    id,
    occurredAt: ago(daysAgo),
    data: {
      deal: {
        ...deal({
          id: newId(),
          version: 3,
          status: 'won',
          stageId: 'won',
          contactId,
          amountMinor: lineItems.reduce((s, l) => s + l.totalMinor, 0),
          closedAt: ago(daysAgo),
        }),
        lineItems,
      },
    },
  })
}

const opened = (tenantId: string, contactId: string, daysAgo: number) =>
  busEvent({
    source: 'crm.campaigns',
    detailType: 'Email.Opened',
    tenantId,
    occurredAt: ago(daysAgo),
    data: { contactId, campaignId: 'CMP1', sendId: newId(), unique: true, occurredAt: ago(daysAgo) },
  })

async function outbox(tenantId: string): Promise<{ detailType: string; data: Record<string, unknown> }[]> {
  const out = await documentClient().send(
    new ScanCommand({
      TableName: customersTable(),
      FilterExpression: 'kind = :k AND begins_with(pk, :t)',
      ExpressionAttributeValues: { ':k': 'outbox', ':t': `T#${tenantId}#` },
    }),
  )
  return (out.Items ?? []).map((i) => ({
    detailType: String(i.detailType),
    data: (i.detail as { data: Record<string, unknown> }).data,
  }))
}

const scoresOf = async (tenant: string, contactId: string) =>
  parse(
    await getScores(
      httpEvent({
        method: 'GET',
        path: `/analytics/customers/${contactId}`,
        params: { contactId },
        tenant,
        roles: ['viewer'],
      }),
      context,
    ),
  )

describe('customer analytics on DynamoDB Local', () => {
  beforeAll(async () => {
    await createServiceTable(STAGE, manifest, 'main')
    await createServiceTable(STAGE, manifest, 'customers')
  })
  afterAll(async () => {
    await dropTable(process.env.ANALYTICS_CUSTOMERS_TABLE)
    await dropTable(process.env.ANALYTICS_MAIN_TABLE)
  })

  it('scores contacts from purchases and opens, publishes changes once, and suggests from similar baskets', async () => {
    // Prepare: twelve customers; most who bought BASIC also bought ADDON; PREMIUM goes with ADDON.
    const tenant = `t${newId()}`
    const ids = Array.from({ length: 12 }, () => newId())
    const baskets = [
      ['BASIC', 'ADDON'],
      ['BASIC', 'ADDON'],
      ['BASIC', 'ADDON', 'PREMIUM'],
      ['ADDON', 'PREMIUM'],
      ['BASIC'],
      ...Array.from({ length: 7 }, () => ['OTHER']),
    ]
    for (const [i, contactId] of ids.entries()) {
      for (let k = 0; k <= i % 4; k++)
        await onActivity(dealWon(tenant, contactId, 5 + i * 20 + k * 3, baskets[i]!))
      await onActivity(opened(tenant, contactId, 2))
    }
    // A redelivery of one purchase (same event id) counts once.
    const again = dealWon(tenant, ids[0]!, 1, ['BASIC'], 'dup-event-1')
    await onActivity(again)
    await onActivity(again)

    // Act
    const run = await scoreCustomers()
    const first = await outbox(tenant)
    const rerun = await scoreCustomers()

    // Assess
    expect(run.tenants).toBeGreaterThanOrEqual(1)
    const s0 = await scoresOf(tenant, ids[0]!)
    expect(s0.status).toBe(200)
    expect(s0.body).toMatchObject({
      contactId: ids[0],
      purchases: 2,
      currency: 'USD',
      segment: expect.any(String),
    })
    expect(s0.body.rfm.recency).toBe(5)
    // Contact 4 bought BASIC only: ADDON (3 of its 4 buyers also bought BASIC) comes first.
    const s4 = await scoresOf(tenant, ids[4]!)
    expect(s4.body.suggestions[0]).toMatchObject({
      productId: 'ADDON',
      kind: 'cross_sell',
      because: ['BASIC'],
    })
    // Contact 0 owns BASIC, ADDON: PREMIUM went with ADDON twice and costs 9× → up-sell.
    expect(s0.body.suggestions).toEqual([expect.objectContaining({ productId: 'PREMIUM', kind: 'up_sell' })])
    // One SegmentChanged per scored contact on the first run, suggestions where there are some.
    const segments = first.filter((e) => e.detailType === 'Customer.SegmentChanged')
    expect(new Set(segments.map((e) => e.data.contactId))).toEqual(new Set(ids))
    expect(
      first.some((e) => e.detailType === 'Customer.SuggestionsUpdated' && e.data.contactId === ids[4]),
    ).toBe(true)
    // Nothing changed: the second run is not due yet, and publishes nothing.
    expect(rerun.changed).toBe(0)
    expect((await outbox(tenant)).length).toBe(first.length)
  })

  it('erases a contact: its scores and history go, and its late events are not recorded', async () => {
    // Prepare
    const tenant = `t${newId()}`
    const contactId = newId()
    await onActivity(dealWon(tenant, contactId, 3, ['BASIC']))
    await scoreCustomers()
    expect((await scoresOf(tenant, contactId)).status).toBe(200)

    // Act
    await onErased(
      busEvent({
        source: 'crm.contacts',
        detailType: 'Contact.Erased',
        tenantId: tenant,
        data: { id: contactId, version: 4 },
      }),
    )
    await onActivity(dealWon(tenant, contactId, 0, ['BASIC']))
    await onActivity(opened(tenant, contactId, 0))

    // Assess
    expect((await scoresOf(tenant, contactId)).status).toBe(404)
    const left = await documentClient().send(
      new ScanCommand({
        TableName: customersTable(),
        FilterExpression: 'begins_with(pk, :t) AND contains(sk, :c)',
        ExpressionAttributeValues: { ':t': `T#${tenant}#CUST#`, ':c': contactId },
      }),
    )
    expect(left.Items).toEqual([])
  })

  it('moves what a merged contact bought and did to the contact that absorbed it, once', async () => {
    // Prepare
    const tenant = `t${newId()}`
    const [target, source] = [newId(), newId()]
    await onActivity(dealWon(tenant, target, 10, ['BASIC']))
    await onActivity(dealWon(tenant, source, 5, ['ADDON']))
    await onActivity(opened(tenant, source, 4))
    const merged = busEvent({
      source: 'crm.contacts',
      detailType: 'Contact.Merged',
      tenantId: tenant,
      data: { id: target, version: 3, sourceId: source, changes: {} },
    })

    // Act: delivered twice (the second is deduped) and then the scoring run.
    await onMerged(merged)
    await onMerged(merged)
    await scoreCustomers()

    // Assess
    const t = await scoresOf(tenant, target)
    expect(t.body).toMatchObject({ purchases: 2, totalSpentMinor: 20_000 })
    expect(t.body.lastPurchaseAt).toBe(ago(5).slice(0, 10) + t.body.lastPurchaseAt.slice(10))
    expect((await scoresOf(tenant, source)).status).toBe(404)
  })

  it('raises one early warning when a ticket category jumps, however many tickets follow', async () => {
    // Prepare: three weeks of 2 billing tickets a day (UTC days: the tenant has no settings).
    const tenant = `t${newId()}`
    const ticket = (occurredAt: string) =>
      busEvent({
        source: 'crm.service-desk',
        detailType: 'Ticket.Opened',
        tenantId: tenant,
        occurredAt,
        data: {
          ticketId: newId(),
          version: 1,
          channel: 'email',
          priority: 'normal',
          type: 'problem',
          category: 'billing',
          subject: 'Charged twice',
          status: 'new',
          tags: [],
          createdAt: occurredAt,
        },
      })
    const today = new Date().toISOString().slice(0, 10)
    for (let d = 21; d >= 1; d--)
      for (let k = 0; k < 2; k++)
        await onWarning(
          ticket(new Date(Date.parse(`${today}T00:30:00.000Z`) - d * DAY + k * 60_000).toISOString()),
        )
    expect(await outbox(tenant)).toEqual([])

    // Act: today 9 tickets (the norm is 2 with no spread).
    for (let k = 0; k < 9; k++)
      await onWarning(ticket(`${today}T00:${String(10 + k).padStart(2, '0')}:00.000Z`))

    // Assess
    const alerts = (await outbox(tenant)).filter((e) => e.detailType === 'Alert.AnomalyDetected')
    expect(alerts).toHaveLength(1)
    expect(alerts[0]!.data).toMatchObject({
      metric: 'tickets_by_category',
      key: 'billing',
      day: today,
      value: 5,
      baselineMedian: 2,
      threshold: 3.5,
    })
    const counted = await documentClient().send(
      new QueryCommand({
        TableName: customersTable(),
        KeyConditionExpression: 'pk = :pk AND sk = :day',
        ExpressionAttributeValues: { ':pk': `T#${tenant}#DAILY#tickets#billing`, ':day': today },
      }),
    )
    expect(counted.Items?.[0]?.n).toBe(9)
  })
})
