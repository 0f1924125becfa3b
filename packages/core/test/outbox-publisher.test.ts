import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { marshall } from '@aws-sdk/util-dynamodb'
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newEvent, outboxPut } from '../src/outbox.js'
import { createOutboxPublisher, handler } from '../src/outbox-publisher.js'

const eb = mockClient(EventBridgeClient)
beforeEach(() => {
  process.env.EVENT_BUS_NAME = 'crm-test'
})
afterEach(() => eb.reset())

// No backoff waits in tests: the retry behaviour is what is under test, not the delays.
const publish = createOutboxPublisher({ maxAttempts: 3, baseDelayMs: 0 })

let seq = 100
/** A stream INSERT record of a real outbox item, as DynamoDB Streams delivers it. */
function outboxRecord(detailType = 'Contact.Created', data: unknown = { id: 'c1' }): DynamoDBRecord {
  const event = newEvent({
    source: 'crm.contacts',
    detailType,
    tenantId: 'acme',
    data,
    correlationId: 'corr',
  })
  const item = outboxPut('t', event).Put?.Item ?? {}
  seq += 1
  return {
    eventID: `ev-${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item) as never,
      SequenceNumber: String(seq),
      StreamViewType: 'NEW_IMAGE',
    },
  }
}

function streamEvent(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records }
}

/** The Detail ids of every entry EventBridge was sent, across all calls. */
function sentIds(): string[] {
  return eb
    .commandCalls(PutEventsCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e: PutEventsRequestEntry) => JSON.parse(e.Detail ?? '{}').id as string)
}

function idOf(record: DynamoDBRecord): string {
  const image = record.dynamodb?.NewImage as { detail: { M: { id: { S: string } } } } | undefined
  return image?.detail.M.id.S ?? ''
}

describe('outbox publisher', () => {
  it('publishes each outbox INSERT as an EventBridge entry and skips other records', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] })
    const record = outboxRecord()
    const modify: DynamoDBRecord = { ...outboxRecord(), eventName: 'MODIFY' }
    const notOutbox: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: {
        NewImage: marshall({ pk: 'T#acme#C#1', sk: 'C', kind: 'contact' }) as never,
        SequenceNumber: '1',
      },
    }
    // Act
    const res = await handler(streamEvent(record, modify, notOutbox))
    // Assess
    expect(res).toEqual({ batchItemFailures: [] })
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 1)
    const entry = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]
    expect(entry).toMatchObject({
      Source: 'crm.contacts',
      DetailType: 'Contact.Created',
      EventBusName: 'crm-test',
    })
    const detail = JSON.parse(entry?.Detail ?? '{}')
    expect(detail).toMatchObject({ id: idOf(record), tenantId: 'acme', version: 1, data: { id: 'c1' } })
    expect(entry?.Time?.toISOString()).toBe(detail.occurredAt)
  })

  it('chunks more than 10 events into calls of at most 10', async () => {
    // Prepare
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }))
    const records = Array.from({ length: 23 }, () => outboxRecord())
    // Act
    const res = await publish(streamEvent(...records))
    // Assess
    expect(res.batchItemFailures).toEqual([])
    const sizes = eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)
    expect(sizes).toEqual([10, 10, 3])
    expect(sentIds().sort()).toEqual(records.map(idOf).sort())
  })

  it('splits calls to stay under 256 KB per request', async () => {
    eb.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }))
    const records = Array.from({ length: 3 }, () =>
      outboxRecord('Note.Added', { text: 'x'.repeat(100 * 1024) }),
    )
    const res = await publish(streamEvent(...records))
    expect(res.batchItemFailures).toEqual([])
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([2, 1])
  })

  it('retries only the failed entries of a partial failure and loses nothing', async () => {
    // Prepare: entries 1 and 3 of the first call fail; the retry succeeds.
    const records = Array.from({ length: 4 }, () => outboxRecord())
    eb.on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'a' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
          { EventId: 'c' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
        ],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }, { EventId: 'd' }] })
    // Act
    const res = await publish(streamEvent(...records))
    // Assess
    expect(res.batchItemFailures).toEqual([])
    const calls = eb.commandCalls(PutEventsCommand)
    expect(calls).toHaveLength(2)
    const retried = (calls[1]?.args[0].input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}').id)
    expect(retried).toEqual([idOf(records[1]!), idOf(records[3]!)])
    // Every event reached the bus at least once.
    expect(new Set(sentIds())).toEqual(new Set(records.map(idOf)))
  })

  it('reports entries that keep failing as batchItemFailures with their sequence numbers', async () => {
    // Prepare: the second entry always fails.
    const records = Array.from({ length: 3 }, () => outboxRecord())
    eb.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
      const entries = input.Entries.map((e) =>
        JSON.parse(e.Detail).id === idOf(records[1]!) ? { ErrorCode: 'InternalFailure' } : { EventId: 'ok' },
      )
      return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries }
    })
    // Act
    const res = await publish(streamEvent(...records))
    // Assess
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }])
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 3)
  })

  it('reports every record when PutEvents itself keeps throwing', async () => {
    eb.on(PutEventsCommand).rejects(new Error('network down'))
    const records = [outboxRecord(), outboxRecord()]
    const res = await publish(streamEvent(...records))
    expect(res.batchItemFailures).toEqual(
      records.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber })),
    )
  })

  it('recovers from a thrown call on retry', async () => {
    eb.on(PutEventsCommand)
      .rejectsOnce(new Error('blip'))
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] })
    const res = await publish(streamEvent(outboxRecord()))
    expect(res.batchItemFailures).toEqual([])
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 2)
  })
})
