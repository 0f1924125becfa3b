/** Activities: pure rules, and the reminder schedule with DynamoDB faked. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses'
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  applyActivityPatch,
  awaitsReminder,
  buildActivity,
  reminderDue,
  utcDay,
} from '../src/domain/activity.js'
import { handler as sendReminders } from '../src/handlers/send-reminders.js'

const ID = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'
const NOW = '2026-11-01T10:00:00.000Z'
const ddb = mockClient(DynamoDBDocumentClient)
const ses = mockClient(SESClient)

beforeAll(() => {
  process.env.PIPELINE_MAIN_TABLE = 'crm-test-pipeline-main'
})
afterEach(() => {
  ddb.reset()
  ses.reset()
})

const activity = (over: Record<string, unknown> = {}) => ({
  ...buildActivity(
    {
      type: 'call',
      subject: 'Call',
      relatedTo: { type: 'deal', id: ID },
      reminderAt: '2026-11-01T09:00:00.000Z',
      dueAt: '2026-11-01T12:00:00.000Z',
    },
    { id: ID, userId: 'u-1', now: NOW },
  ),
  ...over,
})

describe('activity rules', () => {
  it('completing cancels the pending reminder; a new reminder time re-arms a sent one', () => {
    const a = activity()
    expect(reminderDue(a, NOW)).toBe(true)
    expect(reminderDue(a, '2026-11-01T08:59:59.999Z')).toBe(false)
    const done = applyActivityPatch(a, { done: true }, NOW)
    expect(done).toMatchObject({ status: 'done', completedAt: NOW, version: 2 })
    expect(awaitsReminder(done)).toBe(false)
    const sent = { ...a, reminderSentAt: NOW }
    expect(awaitsReminder(sent)).toBe(false)
    expect(awaitsReminder(applyActivityPatch(sent, { reminderAt: '2026-11-02T09:00:00.000Z' }, NOW))).toBe(
      true,
    )
    expect(applyActivityPatch(done, { done: false }, NOW).completedAt).toBeUndefined()
  })

  it('knows the UTC day', () => {
    expect(utcDay('2026-12-31T23:59:00.000Z')).toEqual({
      start: '2026-12-31T00:00:00.000Z',
      end: '2027-01-01T00:00:00.000Z',
    })
  })
})

describe('schedule reminders', () => {
  const stored = (over: Record<string, unknown> = {}) => ({
    pk: `T#acme#ACTIVITY#${ID}`,
    sk: 'ACTIVITY',
    gsi4pk: 'REMINDERS#2026-11-01',
    ...activity(over),
  })

  it('publishes Activity.ReminderDue once per due activity, marking it sent in the same transaction', async () => {
    // Prepare
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored()] })
      .resolves({ Items: [] })
    ddb.on(TransactWriteCommand).resolves({})
    ddb.on(GetCommand, { Key: { pk: 'T#acme#SETTINGS', sk: 'USERS' } }).resolves({
      Item: { users: [{ userId: 'u-1', email: 'one@acme.example', name: 'One' }], version: 1 },
    })
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' })
    // Act
    const result = await sendReminders()
    // Assess
    expect(result).toEqual({ sent: 1, emailed: 1, emailFailed: 0 })
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Destination: { ToAddresses: ['one@acme.example'] },
    })
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(items[0]!.Put!.Item).toMatchObject({
      pk: `T#acme#ACTIVITY#${ID}`,
      reminderSentAt: expect.any(String),
    })
    expect(items[0]!.Put!.Item).not.toHaveProperty('gsi4pk')
    expect(items[0]!.Put).toMatchObject({ ExpressionAttributeValues: { ':expected': 1 } })
    expect(items[1]!.Put!.Item).toMatchObject({
      detailType: 'Activity.ReminderDue',
      detail: { tenantId: 'acme', data: { id: ID, ownerId: 'u-1', relatedTo: { type: 'deal', id: ID } } },
    })
  })

  it('skips one that changed meanwhile and one already sent, and keeps going', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(), stored({ reminderSentAt: NOW })] })
      .resolves({ Items: [] })
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      }),
    )
    expect(await sendReminders()).toEqual({ sent: 0, emailed: 0, emailFailed: 0 })
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0)
  })

  it('a failed email is counted and logged; the reminder stays sent (at most one email)', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored()] })
      .resolves({ Items: [] })
    ddb.on(TransactWriteCommand).resolves({})
    ddb
      .on(GetCommand)
      .resolves({ Item: { users: [{ userId: 'u-1', email: 'one@acme.example' }], version: 1 } })
    ses.on(SendEmailCommand).rejects(new Error('SES throttled'))
    expect(await sendReminders()).toEqual({ sent: 1, emailed: 0, emailFailed: 1 })
  })
})
