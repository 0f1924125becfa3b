import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { queueEnvVar } from '../src/names.js'
import {
  MAX_MESSAGE_BYTES,
  QueueSendError,
  queueUrl,
  resetSqsClient,
  sendToQueue,
  sqsClient,
} from '../src/queue.js'

const sqs = mockClient(SQSClient)
afterEach(() => sqs.reset())

const URL = 'http://127.0.0.1:9324/000000000000/crm-test-core-q-import-chunks'
beforeAll(() => {
  process.env.CORE_Q_IMPORT_CHUNKS_QUEUE_URL = URL
})

const ok = (ids: string[]) => ({
  Successful: ids.map((Id) => ({ Id, MessageId: `m-${Id}`, MD5OfMessageBody: '' })),
})
const entriesOf = (call: number) =>
  sqs.commandCalls(SendMessageBatchCommand)[call]?.args[0].input.Entries ?? []

describe('queue names', () => {
  it('names the env var of a queue URL after its service and queue', () => {
    expect(queueEnvVar('contacts', 'import-chunks')).toBe('CONTACTS_IMPORT_CHUNKS_QUEUE_URL')
    expect(queueEnvVar('service-desk', 'sla-timers')).toBe('SERVICE_DESK_SLA_TIMERS_QUEUE_URL')
  })

  it('reads a queue URL from the environment and says which variable is missing', () => {
    expect(queueUrl('core-q', 'import-chunks')).toBe(URL)
    expect(() => queueUrl('core-q', 'nope')).toThrow(/CORE_Q_NOPE_QUEUE_URL/)
  })

  it('points the client at SQS_ENDPOINT when it is set', async () => {
    const before = process.env.SQS_ENDPOINT
    process.env.SQS_ENDPOINT = 'http://127.0.0.1:9324'
    resetSqsClient()
    try {
      const endpoint = await sqsClient().config.endpoint?.()
      expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe('http://127.0.0.1:9324')
    } finally {
      if (before === undefined) delete process.env.SQS_ENDPOINT
      else process.env.SQS_ENDPOINT = before
      resetSqsClient()
    }
  })
})

describe('sendToQueue', () => {
  it('sends JSON bodies 10 to a batch, with the delay given', async () => {
    // Prepare
    sqs
      .on(SendMessageBatchCommand)
      .callsFake((input: { Entries: { Id: string }[] }) => ok(input.Entries.map((e) => e.Id)))
    const bodies = Array.from({ length: 23 }, (_, i) => ({ tenantId: 'acme', chunk: i }))

    // Act
    await sendToQueue('core-q', 'import-chunks', bodies, { delaySeconds: 30 })

    // Assess
    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 3)
    expect(entriesOf(0)).toHaveLength(10)
    expect(entriesOf(2)).toHaveLength(3)
    expect(entriesOf(0)[0]).toEqual({
      Id: '0',
      MessageBody: '{"tenantId":"acme","chunk":0}',
      DelaySeconds: 30,
    })
    expect(sqs).toReceiveCommandWith(SendMessageBatchCommand, { QueueUrl: URL })
    expect(entriesOf(2).map((e) => e.Id)).toEqual(['20', '21', '22'])
  })

  it('sends nothing for no bodies', async () => {
    await sendToQueue('core-q', 'import-chunks', [])
    expect(sqs).not.toReceiveCommand(SendMessageBatchCommand)
  })

  it('retries only the entries SQS failed on its side', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        ...ok(['0', '2']),
        Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError', Message: 'try again' }],
      })
      .resolvesOnce(ok(['1']))

    await sendToQueue('core-q', 'import-chunks', [{ n: 0 }, { n: 1 }, { n: 2 }])

    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 2)
    expect(entriesOf(1)).toEqual([{ Id: '1', MessageBody: '{"n":1}' }])
  })

  it('gives up after its tries and names the messages not sent', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      ...ok(['0']),
      Failed: [{ Id: '1', SenderFault: false, Code: 'ServiceUnavailable', Message: 'busy' }],
    })

    const sent = sendToQueue('core-q', 'import-chunks', [{ n: 0 }, { n: 1 }])

    await expect(sent).rejects.toBeInstanceOf(QueueSendError)
    await expect(sent).rejects.toMatchObject({
      queue: 'import-chunks',
      failed: [{ index: 1, code: 'ServiceUnavailable', message: 'busy' }],
    })
    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 4)
  })

  it('does not retry a sender fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad character' }],
    })

    await expect(sendToQueue('core-q', 'import-chunks', ['\u0000'])).rejects.toMatchObject({
      failed: [{ index: 0, code: 'InvalidMessageContents' }],
    })
    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 1)
  })

  it('keeps each batch under SQS 1 MiB total', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .callsFake((input: { Entries: { Id: string }[] }) => ok(input.Entries.map((e) => e.Id)))
    const big = 'x'.repeat(250_000)

    await sendToQueue('core-q', 'import-chunks', [big, big, big, big, big])

    expect(entriesOf(0)).toHaveLength(4)
    expect(entriesOf(1)).toHaveLength(1)
  })

  it('refuses an oversized body or a bad delay before sending anything', async () => {
    await expect(sendToQueue('core-q', 'import-chunks', ['x'.repeat(MAX_MESSAGE_BYTES)])).rejects.toThrow(
      /#0 .* bytes/,
    )
    await expect(sendToQueue('core-q', 'import-chunks', [{}], { delaySeconds: 901 })).rejects.toThrow(
      RangeError,
    )
    await expect(sendToQueue('core-q', 'import-chunks', [undefined])).rejects.toThrow(/not JSON/)
    expect(sqs).not.toReceiveCommand(SendMessageBatchCommand)
  })
})
