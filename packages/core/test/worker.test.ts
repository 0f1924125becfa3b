import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod/mini'
import { workerKit } from '../src/kit.js'
import { work } from '../src/work.js'
import { createWorker, type WorkerContext } from '../src/worker.js'
import sqsFixture from './fixtures/sqs-event.json' with { type: 'json' }

const ddb = mockClient(DynamoDBDocumentClient)
afterEach(() => ddb.reset())
beforeAll(() => {
  process.env.CORE_WRK_MAIN_TABLE = 'crm-test-core-wrk-main'
})

const TABLE = 'crm-test-core-wrk-main'
const worker = createWorker({ service: 'core-wrk', table: 'main' })
const ImportChunk = z.object({ tenantId: z.string(), jobId: z.string(), chunk: z.number() })
type ImportChunk = z.infer<typeof ImportChunk>

function record(n: number, body: unknown, patch: Partial<SQSRecord> = {}): SQSRecord {
  const base = structuredClone(sqsFixture.Records[0]) as SQSRecord
  return {
    ...base,
    messageId: `m-${n}`,
    receiptHandle: `rh-${n}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...patch,
  }
}

const chunk = (n: number): ImportChunk => ({ tenantId: 'acme', jobId: 'job-1', chunk: n })
const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records })
const rowPut = (c: ImportChunk) => ({
  Put: { TableName: TABLE, Item: { pk: `T#${c.tenantId}#JOB#${c.jobId}`, sk: `CHUNK#${c.chunk}` } },
})

describe('worker', () => {
  it('runs the handler with the validated body and records the message id', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).resolves({})
    const handle = vi.fn(async (_body: ImportChunk, _ctx: WorkerContext) => {})
    const handler = worker('import-chunks', ImportChunk, handle)

    // Act
    const result = await handler(sqsFixture as SQSEvent)

    // Assess
    expect(result).toEqual({ batchItemFailures: [] })
    expect(handle).toHaveBeenCalledOnce()
    expect(handle.mock.calls[0]?.[0]).toEqual({
      tenantId: 'acme',
      jobId: '01JD0000000000000000000000',
      chunk: 0,
    })
    expect(handle.mock.calls[0]?.[1]).toMatchObject({
      messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
      receiveCount: 1,
    })
    expect(ddb).toReceiveCommandWith(GetCommand, {
      TableName: TABLE,
      Key: { pk: 'T#acme#MSG#059f36b4-87a3-44ab-83d2-661975830a7d', sk: 'MSG' },
      ConsistentRead: true,
    })
    expect(ddb).toReceiveCommandWith(PutCommand, {
      TableName: TABLE,
      Item: expect.objectContaining({
        pk: 'T#acme#MSG#059f36b4-87a3-44ab-83d2-661975830a7d',
        sk: 'MSG',
        queue: 'import-chunks',
      }),
      ConditionExpression: 'attribute_not_exists(pk)',
    })
  })

  it('commits the returned unit of work with the dedupe record last, in one transaction', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).resolves({})
    const handler = worker('import-chunks', ImportChunk, async (body) => work(rowPut(body)))

    const result = await handler(event(record(1, chunk(3))))

    expect(result.batchItemFailures).toEqual([])
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems
    expect(items).toHaveLength(2)
    expect(items?.[0]).toEqual(rowPut(chunk(3)))
    expect(items?.[1]?.Put?.Item).toMatchObject({ pk: 'T#acme#MSG#m-1', sk: 'MSG' })
    expect(ddb).not.toReceiveCommand(PutCommand)
  })

  it('dedupes by the outbox id a message carries, not by its SQS MessageId: a re-sent message is one message', async () => {
    const attr = (id: string) => ({
      messageAttributes: { 'relay-message-id': { stringValue: id, dataType: 'String' } },
    })
    const seen = new Set<string>()
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string } }) => ({
      Item: seen.has(input.Key.pk) ? { pk: input.Key.pk } : undefined,
    }))
    ddb.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      seen.add(input.Item.pk)
      return {}
    })
    const handle = vi.fn(async (_body: ImportChunk, _ctx: WorkerContext) => {})
    const handler = worker('import-chunks', ImportChunk, handle)

    // The publisher sent the same outbox item twice (its batch was retried): two SQS MessageIds.
    const first = await handler(event(record(1, chunk(0), attr('01JD0000000000000000000AAA'))))
    const again = await handler(event(record(2, chunk(0), attr('01JD0000000000000000000AAA'))))

    expect(first.batchItemFailures).toEqual([])
    expect(again.batchItemFailures).toEqual([])
    expect(handle).toHaveBeenCalledOnce()
    expect(handle.mock.calls[0]?.[1].messageId).toBe('01JD0000000000000000000AAA')
    expect([...seen]).toEqual(['T#acme#MSG#01JD0000000000000000000AAA'])
    // An attribute unfit for a key (a separator in it) is not trusted: the SQS MessageId is used.
    await handler(event(record(3, chunk(1), attr('a#b'))))
    expect(handle.mock.calls[1]?.[1].messageId).toBe('m-3')
  })

  it('reports a failed message by its SQS MessageId, whatever id it dedupes by', async () => {
    ddb.on(GetCommand).resolves({})
    const handler = worker('import-chunks', ImportChunk, async () => {
      throw new Error('boom')
    })
    const result = await handler(
      event(
        record(4, chunk(0), {
          messageAttributes: {
            'relay-message-id': { stringValue: '01JD0000000000000000000BBB', dataType: 'String' },
          },
        }),
      ),
    )
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-4' }] })
  })

  it('marks only the message whose handler threw as failed', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).resolves({})
    const handle = vi.fn(async (body: ImportChunk) => {
      if (body.chunk === 2) throw new Error('S3 read timed out')
    })
    const handler = worker('import-chunks', ImportChunk, handle)

    const result = await handler(event(record(1, chunk(1)), record(2, chunk(2)), record(3, chunk(3))))

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] })
    expect(handle).toHaveBeenCalledTimes(3)
    // The failed message's id is not recorded, so its redelivery runs the handler again.
    const recorded = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.pk)
    expect(recorded).toEqual(['T#acme#MSG#m-1', 'T#acme#MSG#m-3'])
  })

  it('passes the receive count of a redelivery to the handler', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).resolves({})
    const handle = vi.fn(async (_body: ImportChunk, _ctx: WorkerContext) => {})
    const handler = worker('import-chunks', ImportChunk, handle)
    const redelivered = record(1, chunk(1))
    redelivered.attributes.ApproximateReceiveCount = '4'

    await handler(event(redelivered))

    expect(handle.mock.calls[0]?.[1].receiveCount).toBe(4)
  })

  it.each([
    ['not JSON', '{"tenantId": "acme", '],
    ['missing a field', { tenantId: 'acme', jobId: 'job-1' }],
    ['a field of the wrong type', { tenantId: 'acme', jobId: 'job-1', chunk: 'first' }],
    ['a tenant that could reach another key space', { tenantId: 'acme#T#other', jobId: 'j', chunk: 1 }],
    ['an empty tenant', { tenantId: '', jobId: 'j', chunk: 1 }],
  ])('drops a body %s without retrying it and without running the handler', async (_, body) => {
    const handle = vi.fn(async () => {})
    const handler = worker('import-chunks', ImportChunk, handle)

    const result = await handler(event(record(1, body)))

    expect(result).toEqual({ batchItemFailures: [] })
    expect(handle).not.toHaveBeenCalled()
    expect(ddb).not.toReceiveCommand(GetCommand)
    expect(ddb).not.toReceiveCommand(PutCommand)
  })

  it('does not run the handler for a message id already processed', async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: 'T#acme#MSG#m-1', sk: 'MSG' } })
    const handle = vi.fn(async () => {})
    const handler = worker('import-chunks', ImportChunk, handle)

    const result = await handler(event(record(1, chunk(1))))

    expect(result.batchItemFailures).toEqual([])
    expect(handle).not.toHaveBeenCalled()
    expect(ddb).not.toReceiveCommand(TransactWriteCommand)
  })

  it('treats a concurrent delivery that recorded the id first as done', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    )
    const handler = worker('import-chunks', ImportChunk, async (body) => work(rowPut(body)))

    const result = await handler(event(record(1, chunk(1))))

    expect(result.batchItemFailures).toEqual([])
  })

  it('retries a message whose own writes failed their condition, unless told to ignore it', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    )
    const handle = async (body: ImportChunk) => work(rowPut(body))

    const retried = await worker('import-chunks', ImportChunk, handle)(event(record(1, chunk(1))))
    const ignored = await worker('import-chunks', ImportChunk, handle, { onConditionFailed: 'ignore' })(
      event(record(1, chunk(1))),
    )

    expect(retried.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }])
    expect(ignored.batchItemFailures).toEqual([])
  })

  it('marks a message failed when DynamoDB is unavailable', async () => {
    ddb.on(GetCommand).rejects(new Error('connect ECONNREFUSED'))
    const handler = worker('import-chunks', ImportChunk, async () => {})

    const result = await handler(event(record(1, chunk(1)), record(2, chunk(2))))

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }])
  })

  it('refuses a unit of work too large for one transaction with its dedupe record', async () => {
    ddb.on(GetCommand).resolves({})
    const handler = worker('import-chunks', ImportChunk, async (body) =>
      work(...Array.from({ length: 100 }, (_, i) => rowPut({ ...body, chunk: i }))),
    )

    const result = await handler(event(record(1, chunk(1))))

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }])
    expect(ddb).not.toReceiveCommand(TransactWriteCommand)
  })

  it("is the service kit's worker, which needs the table of its dedupe records", async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(PutCommand).resolves({})
    const handle = vi.fn(async () => {})
    const handler = workerKit({ service: 'core-wrk', table: 'main' })('import-chunks', ImportChunk, handle)

    expect(await handler(event(record(1, chunk(1))))).toEqual({ batchItemFailures: [] })
    expect(handle).toHaveBeenCalledOnce()
    expect(ddb).toReceiveCommandWith(PutCommand, { TableName: TABLE })
    expect(() => workerKit({ service: 'core-wrk' })('import-chunks', ImportChunk, handle)).toThrow(/table/)
  })
})
