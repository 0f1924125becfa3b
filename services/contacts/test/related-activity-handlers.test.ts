/**
 * The subscribers on-lead-converted and on-related-activity, and the parking queue's consumer
 * retry-parked-activity, with DynamoDB faked by a small in-memory table behind aws-sdk-client-mock
 * and SQS faked: what they write, that a duplicate delivery writes once, and that an event whose
 * contact is missing is parked, never retried by the bus nor dead-lettered.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { PARKING } from '../src/domain/parking.js'
import { handler as onLeadConverted } from '../src/handlers/on-lead-converted.js'
import { handler as onRelatedActivity } from '../src/handlers/on-related-activity.js'
import { handler as retryParked } from '../src/handlers/retry-parked-activity.js'
import type { ParkedActivityMessage } from '../src/queues.js'
import { queuedIn, queueEvent } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const sqs = mockClient(SQSClient)
const TABLE = 'crm-test-contacts-main'
const CONTACT = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

type Item = Record<string, any>
let rows: Map<string, Item>
const k = (i: { pk: unknown; sk: unknown }) => `${i.pk}|${i.sk}`

/** Just enough of DynamoDB's condition semantics for these writes. */
function conditionHolds(
  cond: string | undefined,
  current: Item | undefined,
  values: Item | undefined,
): boolean {
  if (!cond) return true
  if (cond === 'attribute_exists(pk)') return current !== undefined
  if (cond === 'attribute_not_exists(pk)') return current === undefined
  if (cond.startsWith('attribute_not_exists(pk) OR contactId = :me')) {
    return current === undefined || current.contactId === values?.[':me']
  }
  throw new Error(`Condition not faked: ${cond}`)
}

beforeAll(() => {
  process.env.CONTACTS_MAIN_TABLE = TABLE
})
/** What was parked: the committed queue-outbox items, as the outbox publisher sends them. */
const parkedSoFar = () => queuedIn(rows.values(), 'parked-activity')
beforeEach(() => {
  rows = new Map()
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] })
  ddb.on(GetCommand).callsFake((input) => ({ Item: rows.get(k(input.Key)) }))
  ddb.on(QueryCommand).resolves({ Items: [] })
  ddb.on(PutCommand).callsFake((input) => {
    if (
      !conditionHolds(input.ConditionExpression, rows.get(k(input.Item)), input.ExpressionAttributeValues)
    ) {
      throw Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' })
    }
    rows.set(k(input.Item), input.Item)
    return {}
  })
  ddb.on(TransactWriteCommand).callsFake((input) => {
    const ops = input.TransactItems as Item[]
    const codes = ops.map((op) => {
      const o = op.Put ?? op.ConditionCheck ?? op.Delete ?? op.Update
      const key = op.Put ? o.Item : o.Key
      return conditionHolds(o.ConditionExpression, rows.get(k(key)), o.ExpressionAttributeValues)
        ? 'None'
        : 'ConditionalCheckFailed'
    })
    if (codes.includes('ConditionalCheckFailed')) {
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: codes.map((Code) => ({ Code })),
      })
    }
    for (const op of ops) {
      if (op.Put) rows.set(k(op.Put.Item), op.Put.Item)
      if (op.Delete) rows.delete(k(op.Delete.Key))
    }
    return {}
  })
})
afterEach(() => {
  // Parking is a write of the delivery (a queue-outbox item), never a send of its own.
  expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand)
  ddb.reset()
  sqs.reset()
  vi.useRealTimers()
})

const event = (source: string, detailType: string, data: unknown, opts: { occurredAt?: string } = {}) =>
  busEvent({ source, detailType, data, ...opts })

const timeline = (contactId = CONTACT) =>
  [...rows.values()]
    .filter((i) => i.pk === `T#acme#CONTACT#${contactId}` && String(i.sk).startsWith('TL#'))
    .map((i) => i.entry)

const storeContact = (id = CONTACT, emails: string[] = []) => {
  rows.set(`T#acme#CONTACT#${id}|CONTACT`, {
    pk: `T#acme#CONTACT#${id}`,
    sk: 'CONTACT',
    kind: 'contact',
    id,
    displayName: 'Ann Lee',
    emails: emails.map((address, i) => ({ address, primary: i === 0 })),
    phones: [],
    tags: [],
    ownerId: 'u1',
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  })
  for (const address of emails) {
    rows.set(`T#acme#EMAIL#${address}|EMAIL`, {
      pk: `T#acme#EMAIL#${address}`,
      sk: 'EMAIL',
      contactId: id,
    })
  }
}

const deal = {
  id: 'DEAL1',
  name: 'Spring order',
  pipelineId: '00000000000000000000000000',
  stageId: 'won',
  status: 'won',
  amount: { amountMinor: 50000, currency: 'USD' },
  lineItems: [],
  contactId: CONTACT,
  ownerId: 'u1',
  stageHistory: [],
  version: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}

describe('on-related-activity', () => {
  it('adds one deal_won entry to the contact timeline; a duplicate delivery writes nothing more', async () => {
    // Prepare
    storeContact()
    const won = event('crm.pipeline', 'Deal.Won', { deal })
    // Act
    await onRelatedActivity(won)
    await onRelatedActivity(won)
    // Assess
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    // The entry only lands on a live contact and only once, whatever the dedupe record says.
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: expect.arrayContaining([
        { ConditionCheck: expect.objectContaining({ ConditionExpression: 'attribute_exists(pk)' }) },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({ kind: 'timeline' }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        },
      ]),
    })
    expect(timeline()).toEqual([
      expect.objectContaining({
        kind: 'deal_won',
        summary: 'Deal won: Spring order (500.00 USD)',
        related: { type: 'deal', id: 'DEAL1' },
      }),
    ])
  })

  it('treats a redelivery that finds its entry already written as applied (no throw, one entry)', async () => {
    // Prepare: the entry is there but the dedupe record is not (e.g. expired).
    storeContact()
    // As service-desk publishes it (TicketOpenedV1).
    const opened = event('crm.service-desk', 'Ticket.Opened', {
      ticketId: 'TK1',
      version: 1,
      contactId: CONTACT,
      channel: 'email',
      priority: 'normal',
      type: 'question',
      subject: 'Printer on fire',
      status: 'new',
      tags: [],
      createdAt: '2026-01-02T03:04:05.000Z',
    })
    await onRelatedActivity(opened)
    for (const key of [...rows.keys()]) if (key.includes('#EVT#')) rows.delete(key)
    // Act
    await expect(onRelatedActivity(opened)).resolves.toBeUndefined()
    // Assess
    expect(timeline()).toHaveLength(1)
    expect(timeline()[0]).toMatchObject({ kind: 'ticket_opened', summary: 'Ticket opened: Printer on fire' })
  })

  it('finds the contact of a campaign email that names only the recipient address', async () => {
    // Prepare
    storeContact(CONTACT, ['ann@example.com'])
    // Act
    await onRelatedActivity(
      event('crm.campaigns', 'Email.Clicked', {
        email: 'ann@example.com',
        campaignId: 'CMP1',
        campaignName: 'Sale',
      }),
    )
    // Assess
    expect(timeline()).toEqual([
      expect.objectContaining({ kind: 'email_clicked', related: { type: 'campaign', id: 'CMP1' } }),
    ])
  })

  it('skips an event about no contact at all (logged, nothing written or parked)', async () => {
    await onRelatedActivity(event('crm.pipeline', 'Deal.Created', { ...deal, contactId: undefined }))
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(parkedSoFar()).toEqual([])
  })

  it('parks an event whose contact is not there (yet): no throw, so neither a bus retry nor a dead letter', async () => {
    // Act: a deal for a contact not created yet, and a campaign email to an address nobody has yet.
    const created = event('crm.pipeline', 'Deal.Created', deal)
    await expect(onRelatedActivity(created)).resolves.toBeUndefined()
    await onRelatedActivity(event('crm.campaigns', 'Email.Opened', { email: 'new@example.com' }))
    // Assess
    expect(timeline()).toEqual([])
    const parked = parkedSoFar()
    expect(parked).toEqual([
      {
        body: {
          tenantId: 'acme',
          event: {
            id: created.detail.id,
            source: 'crm.pipeline',
            detailType: 'Deal.Created',
            occurredAt: created.detail.occurredAt,
            correlationId: 'corr-1',
            data: expect.objectContaining({ contactId: CONTACT }),
          },
          parkedAt: expect.any(String),
          attempt: 1,
        },
        delaySeconds: PARKING.firstDelaySeconds,
      },
      expect.objectContaining({ body: expect.objectContaining({ attempt: 1 }), delaySeconds: 5 }),
    ])
    // The event itself is done: its dedupe record is written, a redelivery parks nothing more.
    await onRelatedActivity(created)
    expect(parkedSoFar()).toHaveLength(2)
  })
})

describe('retry-parked-activity (queue parked-activity)', () => {
  const parkedDeal = (over: Partial<ParkedActivityMessage> = {}): ParkedActivityMessage => ({
    tenantId: 'acme',
    event: {
      id: 'EVT-PARKED',
      source: 'crm.pipeline',
      detailType: 'Deal.Won',
      occurredAt: '2026-01-02T00:00:00.000Z',
      correlationId: 'corr-p',
      data: { deal },
    },
    parkedAt: new Date().toISOString(),
    attempt: 1,
    ...over,
  })

  it('adds the entry once the contact has appeared, with the same entry id as on the bus', async () => {
    storeContact()
    const result = await retryParked(queueEvent(parkedDeal()))
    expect(result.batchItemFailures).toEqual([])
    expect(timeline()).toEqual([
      expect.objectContaining({ kind: 'deal_won', occurredAt: '2026-01-02T00:00:00.000Z' }),
    ])
    expect(parkedSoFar()).toEqual([])
    // The message's dedupe record rides with the entry.
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: expect.arrayContaining([
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({ kind: 'message', queue: 'parked-activity' }),
          }),
        },
      ]),
    })
  })

  it('parks it again with a doubled delay, up to 15 minutes, keeping when it was first parked', async () => {
    const first = parkedDeal({ attempt: 2 })
    await retryParked(queueEvent(first))
    await retryParked(queueEvent(parkedDeal({ attempt: 9 })))
    expect(parkedSoFar()).toEqual([
      { body: { ...first, attempt: 3 }, delaySeconds: 20 },
      { body: expect.objectContaining({ attempt: 10 }), delaySeconds: PARKING.maxDelaySeconds },
    ])
    expect(timeline()).toEqual([])
  })

  it('drops it with a log line after 24 hours or 120 looks: no throw, no dead letter', async () => {
    const dayAgo = new Date(Date.now() - PARKING.maxParkedMs - 1000).toISOString()
    for (const message of [parkedDeal({ parkedAt: dayAgo }), parkedDeal({ attempt: PARKING.maxAttempts })]) {
      const result = await retryParked(queueEvent(message))
      expect(result.batchItemFailures).toEqual([])
    }
    expect(parkedSoFar()).toEqual([])
    expect(timeline()).toEqual([])
  })

  it("ends the same way for another tenant's contact id: parked, never written into either tenant", async () => {
    storeContact() // the contact exists in tenant acme only
    const other = parkedDeal({ tenantId: 'globex' })
    await retryParked(queueEvent(other))
    expect(parkedSoFar()).toEqual([
      { body: expect.objectContaining({ tenantId: 'globex', attempt: 2 }), delaySeconds: 10 },
    ])
    expect([...rows.keys()].filter((key) => key.includes('TL#'))).toEqual([])
  })
})

describe('on-lead-converted', () => {
  const converted = (email = 'kanya@example.th') => ({
    leadId: 'L1',
    contactId: CONTACT,
    dealId: 'D1',
    contact: { firstName: 'Kanya', lastName: 'Srisuk', email, title: 'Buyer', ownerId: 'u7' },
    source: 'web',
  })

  it('creates the contact under the chosen id with a converted entry; a duplicate delivery is a no-op', async () => {
    // Prepare
    const e = event('crm.pipeline', 'Lead.Converted', converted())
    // Act
    await onLeadConverted(e)
    await onLeadConverted(e)
    // Assess
    const contact = rows.get(`T#acme#CONTACT#${CONTACT}|CONTACT`)
    expect(contact).toMatchObject({
      id: CONTACT,
      firstName: 'Kanya',
      jobTitle: 'Buyer',
      ownerId: 'u7',
      source: 'lead-conversion',
      lifecycleStage: 'opportunity',
      emails: [{ address: 'kanya@example.th', primary: true }],
    })
    expect(rows.get(`T#acme#EMAIL#kanya@example.th|EMAIL`)?.contactId).toBe(CONTACT)
    expect(
      timeline()
        .map((t) => t.kind)
        .sort(),
    ).toEqual(['converted', 'created'])
    // One contact transaction + one dedupe/entry transaction, nothing on the second delivery.
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 2)
  })

  it('is a no-op for the contact when it exists already (another event id), adding only the entry', async () => {
    // Prepare
    storeContact(CONTACT, ['kanya@example.th'])
    // Act
    await onLeadConverted(event('crm.pipeline', 'Lead.Converted', converted()))
    // Assess
    expect(rows.get(`T#acme#CONTACT#${CONTACT}|CONTACT`)?.displayName).toBe('Ann Lee')
    expect(timeline().map((t) => t.kind)).toEqual(['converted'])
  })

  it('creates the contact without an email another contact owns, instead of failing forever', async () => {
    // Prepare
    storeContact('OTHER', ['kanya@example.th'])
    // Act
    await onLeadConverted(event('crm.pipeline', 'Lead.Converted', converted()))
    // Assess
    const contact = rows.get(`T#acme#CONTACT#${CONTACT}|CONTACT`)
    expect(contact).toMatchObject({ id: CONTACT, firstName: 'Kanya', emails: [] })
    expect(rows.get(`T#acme#EMAIL#kanya@example.th|EMAIL`)?.contactId).toBe('OTHER')
    expect(
      timeline()
        .map((t) => t.kind)
        .sort(),
    ).toEqual(['converted', 'created'])
    // What was left off is said on the record.
    expect(timeline().find((t) => t.kind === 'converted')).toMatchObject({
      summary: expect.stringContaining('not kept: email kanya@example.th (another contact has it: OTHER)'),
      changes: { leftOut: ['email kanya@example.th (another contact has it: OTHER)'] },
    })
  })

  it("reads a lead's national phone with the lead's country when the tenant has no default region (issue 8)", async () => {
    const lead = converted()
    await onLeadConverted(
      event('crm.pipeline', 'Lead.Converted', {
        ...lead,
        contact: { ...lead.contact, phone: '081 234 5678', country: 'TH' },
      }),
    )
    expect(rows.get(`T#acme#CONTACT#${CONTACT}|CONTACT`)?.phones).toEqual([{ number: '+66812345678' }])
    expect(timeline().find((t) => t.kind === 'converted')?.changes?.leftOut).toBeUndefined()
  })

  it('notes a phone it cannot read on the converted entry instead of dropping it silently', async () => {
    const lead = converted()
    await onLeadConverted(
      event('crm.pipeline', 'Lead.Converted', {
        ...lead,
        contact: { ...lead.contact, phone: '081 234 5678' },
      }),
    )
    expect(rows.get(`T#acme#CONTACT#${CONTACT}|CONTACT`)?.phones).toEqual([])
    expect(timeline().find((t) => t.kind === 'converted')).toMatchObject({
      changes: { leftOut: ['phone 081 234 5678 (not a valid number; no country to read it with)'] },
    })
  })

  it('drops an event whose data is not a Lead.Converted (logged, no write)', async () => {
    await onLeadConverted(event('crm.pipeline', 'Lead.Converted', { leadId: 'L1' }))
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0)
  })
})
