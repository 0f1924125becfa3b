/**
 * The subscribers on-lead-converted and on-related-activity with DynamoDB faked by a small in-memory
 * table behind aws-sdk-client-mock: what they write, and that a duplicate delivery writes once.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { busEvent } from '../../../test/support/bus-events.js'
import { handler as onLeadConverted } from '../src/handlers/on-lead-converted.js'
import { handler as onRelatedActivity } from '../src/handlers/on-related-activity.js'

const ddb = mockClient(DynamoDBDocumentClient)
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
beforeEach(() => {
  rows = new Map()
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
  ddb.reset()
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
    const opened = event('crm.service-desk', 'Ticket.Opened', {
      ticket: { id: 'TK1', subject: 'Printer on fire', contactId: CONTACT },
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

  it('skips an old event for a contact that does not exist, and one without a contact', async () => {
    // Act
    await onRelatedActivity(
      event(
        'crm.campaigns',
        'Email.Opened',
        { contactId: 'GONE' },
        { occurredAt: '2020-01-01T00:00:00.000Z' },
      ),
    )
    await onRelatedActivity(event('crm.pipeline', 'Deal.Created', { ...deal, contactId: undefined }))
    // Assess
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(timeline('GONE')).toEqual([])
  })

  it('throws (so the bus retries) for a fresh event whose contact is not created yet', async () => {
    await expect(onRelatedActivity(event('crm.pipeline', 'Deal.Created', deal))).rejects.toThrow(/not there/)
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
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
  })

  it('drops an event whose data is not a Lead.Converted (logged, no write)', async () => {
    await onLeadConverted(event('crm.pipeline', 'Lead.Converted', { leadId: 'L1' }))
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0)
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0)
  })
})
