/**
 * The local SQS endpoint driven with the real @aws-sdk/client-sqs (JSON protocol, its MD5 checks
 * on): delays, visibility timeouts and receive counts, long polls, deletes, the redrive policy to a
 * dead-letter queue and back (StartMessageMoveTask), the errors the SDK maps to its classes, and a
 * restart that keeps every message as it was.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  MessageNotInflight,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Invoker } from '../src/invoke.js'
import { failedIds } from '../src/sqs/consumers.js'
import { type LocalQueues, startQueues } from '../src/sqs/index.js'

const dataDir = mkdtempSync(join(tmpdir(), 'relay-sqs-'))
const noInvoker = {} as Invoker
let queues: LocalQueues
let sqs: SQSClient

const start = async () => {
  queues = await startQueues({
    stage: 'test',
    services: [],
    invoker: noInvoker,
    region: 'us-east-1',
    dataDir,
    log: () => {},
  })
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: queues.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
}
const stop = async () => {
  sqs.destroy()
  await queues.close()
}
beforeAll(start)
afterAll(async () => {
  await stop()
  rmSync(dataDir, { recursive: true, force: true })
})

let n = 0
async function queue(attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `q${++n}`, Attributes: attributes }),
  )
  return QueueUrl!
}
const arnOf = async (url: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!
const counts = async (url: string) => {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
    .Attributes!
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  }
}
const receive = (url: string, extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs
    .send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        ...extra,
      }),
    )
    .then((r) => r.Messages ?? [])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('local SQS endpoint', () => {
  it('creates, finds and lists queues', async () => {
    const url = await queue({ VisibilityTimeout: '5' })
    const name = url.split('/').pop()!
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(url)
    expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }))).QueueUrls).toEqual([url])
    // Same name, same attributes: the same queue, as in SQS.
    expect(
      (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '5' } })))
        .QueueUrl,
    ).toBe(url)
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '6' } })),
    ).rejects.toMatchObject({
      name: 'QueueNameExists',
    })
  })

  it('sends a batch, holding back the delayed entries until their delay has passed', async () => {
    const url = await queue()
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'now', MessageBody: '{"n":1}' },
          { Id: 'later', MessageBody: '{"n":2}', DelaySeconds: 1 },
        ],
      }),
    )
    expect(sent.Successful?.map((s) => s.Id).sort()).toEqual(['later', 'now'])
    expect(sent.Failed ?? []).toEqual([])

    const first = await receive(url, { VisibilityTimeout: 30 })
    expect(first.map((m) => m.Body)).toEqual(['{"n":1}'])
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1, delayed: 1 })
    // A long poll answers as soon as the delayed message turns visible.
    const t0 = Date.now()
    const later = await receive(url, { WaitTimeSeconds: 5 })
    expect(later.map((m) => m.Body)).toEqual(['{"n":2}'])
    expect(Date.now() - t0).toBeLessThan(2500)
  })

  it('hides a received message for its visibility timeout, then delivers it again with a higher receive count', async () => {
    const url = await queue({ VisibilityTimeout: '1' })
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }))

    const [m1] = await receive(url)
    expect(m1?.Attributes?.ApproximateReceiveCount).toBe('1')
    expect(await receive(url)).toEqual([])
    const [m2] = await receive(url, { WaitTimeSeconds: 3 })
    expect(m2?.MessageId).toBe(m1?.MessageId)
    expect(m2?.Attributes?.ApproximateReceiveCount).toBe('2')
    expect(m2?.ReceiptHandle).not.toBe(m1?.ReceiptHandle)

    // Only the latest receipt handle deletes it; an older one is accepted and does nothing.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m1!.ReceiptHandle! }))
    expect(await counts(url)).toMatchObject({ inFlight: 1 })
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m2!.ReceiptHandle! }))
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 })
  })

  it('changes the visibility of a message in flight, and only of one in flight', async () => {
    const url = await queue({ VisibilityTimeout: '30' })
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))
    const [m] = await receive(url, { WaitTimeSeconds: 1 })

    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: m!.ReceiptHandle!,
        VisibilityTimeout: 0,
      }),
    )
    const [again] = await receive(url)
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2')
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: m!.ReceiptHandle!,
          VisibilityTimeout: 10,
        }),
      ),
    ).rejects.toBeInstanceOf(MessageNotInflight)
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: 'not-a-handle',
          VisibilityTimeout: 10,
        }),
      ),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid)
  })

  it('answers a long poll as soon as a message is sent', async () => {
    const url = await queue()
    const t0 = Date.now()
    const polled = receive(url, { WaitTimeSeconds: 10 })
    await sleep(100)
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }))
    expect((await polled).map((m) => m.Body)).toEqual(['wake up'])
    expect(Date.now() - t0).toBeLessThan(2000)
  })

  it('deletes a batch, reporting each bad receipt handle', async () => {
    const url = await queue()
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `${i}` })),
      }),
    )
    const got = await receive(url)
    const result = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
          { Id: 'bad', ReceiptHandle: '%%%' },
        ],
      }),
    )
    expect(result.Successful?.map((s) => s.Id)).toEqual(['d0', 'd1', 'd2'])
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ])
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 })
  })

  it('moves a message to the dead-letter queue after maxReceiveCount receives, lists its sources and redrives it', async () => {
    const dlq = await queue()
    const url = await queue({
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlq), maxReceiveCount: 2 }),
    })
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }))

    expect((await receive(url)).length).toBe(1)
    expect((await receive(url, { WaitTimeSeconds: 3 }))[0]?.Attributes?.ApproximateReceiveCount).toBe('2')
    await sleep(1100)
    // The third receive finds it past maxReceiveCount: it moves instead of being delivered.
    expect(await receive(url)).toEqual([])
    expect(await counts(dlq)).toEqual({ visible: 1, inFlight: 0, delayed: 0 })
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([
      url,
    ])

    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(dlq) }))
    expect(task.TaskHandle).toBeTruthy()
    const tasks = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: await arnOf(dlq) }))
    expect(tasks.Results?.[0]).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 })
    expect(await counts(dlq)).toEqual({ visible: 0, inFlight: 0, delayed: 0 })
    const [back] = await receive(url)
    expect(back?.Body).toBe('poison')
    expect(back?.Attributes?.ApproximateReceiveCount).toBe('1')
  })

  it('refuses a redrive policy naming no queue, and a move task from a queue that is no dead-letter queue', async () => {
    await expect(
      queue({
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:nope',
          maxReceiveCount: 2,
        }),
      }),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' })
    const plain = await queue()
    await expect(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: await arnOf(plain) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    })
  })

  it('answers errors the SDK maps to its exception classes', async () => {
    const url = await queue({ MaximumMessageSize: '1024' })
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url.replace(/q\d+$/, 'missing'), MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist)
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })),
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest)
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'a', MessageBody: 'x' },
            { Id: 'a', MessageBody: 'y' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchEntryIdsNotDistinct)
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1025) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    })
    const mixed = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'bad', MessageBody: 'bell \u0007' },
        ],
      }),
    )
    expect(mixed.Successful?.map((s) => s.Id)).toEqual(['ok'])
    expect(mixed.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'InvalidMessageContents', SenderFault: true }),
    ])
  })

  it('keeps message attributes with the MD5 SQS computes for them', async () => {
    const url = await queue()
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'with attributes',
        MessageAttributes: {
          tenant: { DataType: 'String', StringValue: 'acme' },
          n: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]) },
        },
      }),
    )
    // What another emulator (fauxqs 2.4.1) answers for the same attributes: SQS's algorithm, computed apart.
    expect(sent.MD5OfMessageAttributes).toBe('f5c099433ebb3d803d1371ca3f11799d')
    const [m] = await receive(url, { MessageAttributeNames: ['All'] })
    expect(m?.MessageAttributes).toEqual({
      tenant: { DataType: 'String', StringValue: 'acme' },
      n: { DataType: 'Number', StringValue: '3' },
      blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([1, 2, 3]) },
    })
    expect(m?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes)
  })

  it('keeps queues and messages across a restart: visible, delayed, in flight and dead-lettered', async () => {
    const dlq = await queue()
    const url = await queue({
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dlq), maxReceiveCount: 1 }),
    })
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'dead' }))
    await receive(url)
    await sleep(1100)
    await receive(url) // moves 'dead' to the dead-letter queue
    const plain = await queue({ VisibilityTimeout: '1' })
    await sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: 'in flight' }))
    const [inFlight] = await receive(plain)
    await sqs.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: 'delayed', DelaySeconds: 2 }))

    await stop()
    await start()

    const urlOf = async (old: string) =>
      (await sqs.send(new GetQueueUrlCommand({ QueueName: old.split('/').pop()! }))).QueueUrl!
    expect(await counts(await urlOf(dlq))).toEqual({ visible: 1, inFlight: 0, delayed: 0 })
    const newPlain = await urlOf(plain)
    expect(await counts(newPlain)).toMatchObject({ delayed: 1 })
    const [again] = await receive(newPlain, { WaitTimeSeconds: 3 })
    expect(again?.MessageId).toBe(inFlight?.MessageId)
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2')
  })
})

describe('partial batch responses as Lambda reads them', () => {
  const ids = ['a', 'b', 'c']
  it.each([
    ['no answer', undefined, []],
    ['an empty list', { batchItemFailures: [] }, []],
    ['the failed ids', { batchItemFailures: [{ itemIdentifier: 'b' }] }, ['b']],
    ['an id not in the batch', { batchItemFailures: [{ itemIdentifier: 'z' }] }, ids],
    ['an entry without an id', { batchItemFailures: [{}] }, ids],
    ['a list that is no list', { batchItemFailures: 'b' }, ids],
  ])('%s', (_, answer, failed) => {
    expect([...failedIds(answer, ids)].sort()).toEqual(failed)
  })
})
