import { fileURLToPath } from 'node:url'
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge'
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs'
import { marshall } from '@aws-sdk/util-dynamodb'
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { build } from 'esbuild'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newEvent, outboxPut, queueOutboxPut } from '../src/outbox.js'
import { createOutboxPublisher, handler } from '../src/outbox-publisher.js'
import { createQueuePublisher, handler as queueHandler } from '../src/queue-publisher.js'

const eb = mockClient(EventBridgeClient)
const sqs = mockClient(SQSClient)
const CHUNKS_URL = 'http://sqs.local/000000000000/crm-test-contacts-import-chunks'
const PARKED_URL = 'http://sqs.local/000000000000/crm-test-contacts-parked-activity'
beforeEach(() => {
  process.env.EVENT_BUS_NAME = 'crm-test'
  process.env.CONTACTS_IMPORT_CHUNKS_QUEUE_URL = CHUNKS_URL
  process.env.CONTACTS_PARKED_ACTIVITY_QUEUE_URL = PARKED_URL
})
afterEach(() => {
  eb.reset()
  sqs.reset()
})

// No backoff waits in tests: the retry behaviour is what is under test, not the delays.
const publish = createOutboxPublisher({ maxAttempts: 3, baseDelayMs: 0 })
const sendQueued = createQueuePublisher({ maxAttempts: 3, baseDelayMs: 0 })

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
  return insertRecord(outboxPut('t', event).Put?.Item ?? {})
}

/** The stream INSERT record of `item`, as DynamoDB Streams delivers it (a fresh sequence number). */
function insertRecord(item: Record<string, unknown>): DynamoDBRecord {
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

/** A stream INSERT record of a real queue-outbox item. */
function queueRecord(
  queue = 'import-chunks',
  body: unknown = { tenantId: 'acme', n: seq },
  delaySeconds?: number,
) {
  const item =
    queueOutboxPut('t', { tenantId: 'acme', service: 'contacts', queue, body, delaySeconds }).Put?.Item ?? {}
  return {
    record: insertRecord(item),
    id: item.id as string,
    body: item.body as string,
  }
}

/** Every SendMessageBatch entry, with its queue, across all calls. */
function sentMessages(): (SendMessageBatchRequestEntry & { url: string | undefined })[] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => ({ ...e, url: c.args[0].input.QueueUrl })))
}
const stableId = (e: SendMessageBatchRequestEntry) => e.MessageAttributes?.['relay-message-id']?.StringValue

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

describe('event publisher (outbox-publisher)', () => {
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

  it('puts only the events of a batch that also holds work messages, and sends no message', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] })
    sqs.on(SendMessageBatchCommand).rejects(new Error('the event publisher must not call SQS'))
    const chunk = queueRecord('import-chunks')
    const event = outboxRecord()
    const res = await handler(streamEvent(chunk.record, event, queueRecord('parked-activity', {}, 5).record))
    expect(res).toEqual({ batchItemFailures: [] })
    expect(sentIds()).toEqual([idOf(event)])
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand)
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

describe('queue publisher (queue-publisher)', () => {
  const accepted = (input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `sqs-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  })

  it('sends each queue item to its queue with its body, delay and id; and leaves events to the event publisher', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).callsFake(accepted)
    const chunk = queueRecord('import-chunks', { tenantId: 'acme', jobId: 'j1', chunk: 1 })
    const parked = queueRecord('parked-activity', { tenantId: 'acme', attempt: 2 }, 20)
    const event = outboxRecord()
    // Act
    const res = await queueHandler(streamEvent(chunk.record, event, parked.record))
    // Assess
    expect(res).toEqual({ batchItemFailures: [] })
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand)
    expect(sentMessages()).toEqual([
      {
        url: CHUNKS_URL,
        Id: '0',
        MessageBody: JSON.stringify({ tenantId: 'acme', jobId: 'j1', chunk: 1 }),
        MessageAttributes: { 'relay-message-id': { DataType: 'String', StringValue: chunk.id } },
      },
      {
        url: PARKED_URL,
        Id: '0',
        MessageBody: parked.body,
        DelaySeconds: 20,
        MessageAttributes: { 'relay-message-id': { DataType: 'String', StringValue: parked.id } },
      },
    ])
  })

  it('batches one queue by 10 and sends nothing for records that are not new queue items', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(accepted)
    const records = Array.from({ length: 12 }, () => queueRecord())
    const modify: DynamoDBRecord = { ...queueRecord().record, eventName: 'MODIFY' }
    const res = await sendQueued(streamEvent(...records.map((r) => r.record), modify))
    expect(res.batchItemFailures).toEqual([])
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      10, 2,
    ])
    expect(sentMessages().map(stableId)).toEqual(records.map((r) => r.id))
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand)
  })

  it('retries only the entries SQS failed, with the same stable id, and loses nothing', async () => {
    // Prepare: the second entry fails on SQS's side on every try of the first call's series, then goes through.
    const records = Array.from({ length: 3 }, () => queueRecord())
    let failing = 4
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: SendMessageBatchRequestEntry[] }) => {
      const bad = input.Entries.find((e) => stableId(e) === records[1]!.id)
      if (bad && failing-- > 0)
        return {
          Successful: input.Entries.filter((e) => e !== bad).map((e) => ({
            Id: e.Id,
            MessageId: 'x',
            MD5OfMessageBody: '',
          })),
          Failed: [{ Id: bad.Id, Code: 'InternalError', SenderFault: false }],
        }
      return accepted(input as { Entries: { Id: string }[] })
    })
    // Act
    const res = await sendQueued(streamEvent(...records.map((r) => r.record)))
    // Assess: sent at least once each; the re-sent one kept its id, so its consumer sees one message.
    expect(res.batchItemFailures).toEqual([])
    const ids = sentMessages().map(stableId)
    expect(new Set(ids)).toEqual(new Set(records.map((r) => r.id)))
    expect(ids.filter((id) => id === records[1]!.id).length).toBeGreaterThan(1)
    expect(ids.filter((id) => id === records[0]!.id)).toHaveLength(1)
  })

  it('reports messages that keep failing, and only them, as batchItemFailures in stream order', async () => {
    const records = Array.from({ length: 3 }, () => queueRecord())
    const event = outboxRecord()
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: SendMessageBatchRequestEntry[] }) => ({
      Successful: input.Entries.filter((e) => stableId(e) !== records[2]!.id).map((e) => ({
        Id: e.Id,
        MessageId: 'x',
        MD5OfMessageBody: '',
      })),
      Failed: input.Entries.filter((e) => stableId(e) === records[2]!.id).map((e) => ({
        Id: e.Id,
        Code: 'InvalidMessageContents',
        SenderFault: true,
      })),
    }))
    const res = await sendQueued(
      streamEvent(records[0]!.record, event, records[2]!.record, records[1]!.record),
    )
    expect(res.batchItemFailures).toEqual([{ itemIdentifier: records[2]!.record.dynamodb?.SequenceNumber }])
    // The event beside it is the event publisher's (never reported here); a sender fault is not
    // retried within a call series.
    expect(eb).not.toHaveReceivedCommand(PutEventsCommand)
    expect(sentMessages().filter((e) => stableId(e) === records[2]!.id)).toHaveLength(3)
  })

  it('reports every message of a queue whose calls keep throwing, or whose URL is not set', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new Error('network down'))
    const records = [queueRecord(), queueRecord()]
    const res = await sendQueued(streamEvent(...records.map((r) => r.record)))
    expect(res.batchItemFailures).toEqual(
      records.map((r) => ({ itemIdentifier: r.record.dynamodb?.SequenceNumber })),
    )
    sqs.reset()
    sqs.on(SendMessageBatchCommand).callsFake(accepted)
    delete process.env.CONTACTS_PARKED_ACTIVITY_QUEUE_URL
    const lost = queueRecord('parked-activity')
    const fine = queueRecord('import-chunks')
    const out = await sendQueued(streamEvent(lost.record, fine.record))
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: lost.record.dynamodb?.SequenceNumber }])
    expect(sentMessages().map(stableId)).toEqual([fine.id])
  })

  it('skips a malformed queue item instead of blocking the shard', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(accepted)
    const malformed: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: {
        NewImage: marshall({
          pk: 'T#acme#OUTBOX#x',
          sk: 'OUTBOX',
          kind: 'queue',
          queue: 'import-chunks',
          body: '{}',
        }) as never,
        SequenceNumber: '7',
      },
    }
    const res = await sendQueued(streamEvent(malformed))
    expect(res.batchItemFailures).toEqual([])
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand)
  })
})

describe('the two publishers bundle apart', () => {
  /** The packages of `entry`'s bundle (as esbuild resolves them for the Lambda build). */
  async function packagesOf(entry: string): Promise<Set<string>> {
    const out = await build({
      entryPoints: [fileURLToPath(new URL(`../src/${entry}`, import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    })
    return new Set(
      Object.keys(out.metafile.inputs).flatMap((f) => /node_modules\/(@aws-sdk\/[^/]+)/.exec(f)?.[1] ?? []),
    )
  }

  it('the event publisher carries no SQS client, the queue publisher no EventBridge client', async () => {
    const events = await packagesOf('outbox-publisher.ts')
    const queue = await packagesOf('queue-publisher.ts')
    expect(events).toContain('@aws-sdk/client-eventbridge')
    expect(events).not.toContain('@aws-sdk/client-sqs')
    expect(queue).toContain('@aws-sdk/client-sqs')
    expect(queue).not.toContain('@aws-sdk/client-eventbridge')
  }, 60_000)
})
