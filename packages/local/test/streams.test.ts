import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createTables, localDynamoDbClient } from '../src/dynamodb.js'
import { outboxKindFilter, StreamPoller } from '../src/streams.js'
import { testServices, uniqueStage } from './fixtures/index.js'

const endpoint = process.env.DYNAMODB_ENDPOINT!
const client = localDynamoDbClient(endpoint)
const dataDir = mkdtempSync(join(tmpdir(), 'relay-streams-'))
afterAll(() => {
  client.destroy()
  rmSync(dataDir, { recursive: true, force: true })
})

const put = (table: string, id: string) =>
  client.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: `T#t#OUTBOX#${id}` }, sk: { S: 'OUTBOX' }, kind: { S: 'outbox' } },
    }),
  )

const putKind = (table: string, id: string, kind: string) =>
  client.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: `T#t#OUTBOX#${id}` }, sk: { S: 'OUTBOX' }, kind: { S: kind } },
    }),
  )

const pks = (records: DynamoDBRecord[]) => records.map((r) => r.dynamodb?.NewImage?.pk?.S)

describe('StreamPoller', () => {
  it('feeds stream records to the publisher, retries failed items, and resumes from its checkpoint', async () => {
    // Prepare
    const stage = uniqueStage('str')
    await createTables(stage, testServices, { endpoint })
    const table = `crm-${stage}-echo-main`
    const batches: DynamoDBStreamEvent[] = []
    let failOnce = true
    const handler = vi.fn(async (event: DynamoDBStreamEvent) => {
      batches.push(event)
      const second = event.Records[1]
      if (failOnce && second) {
        failOnce = false
        return { batchItemFailures: [{ itemIdentifier: second.dynamodb!.SequenceNumber! }] }
      }
      return { batchItemFailures: [] }
    })
    await put(table, 'a')
    await put(table, 'b')
    await put(table, 'c')
    const poller = new StreamPoller({ endpoint, tables: [table], handler, dataDir, intervalMs: 20 })

    // Act
    await poller.start()
    await vi.waitFor(() => expect(handler.mock.calls.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 })
    await poller.stop()

    // Assess: first batch a,b,c with b failed; the retry starts at b
    expect(pks(batches[0]!.Records)).toEqual(['T#t#OUTBOX#a', 'T#t#OUTBOX#b', 'T#t#OUTBOX#c'])
    expect(pks(batches[1]!.Records)).toEqual(['T#t#OUTBOX#b', 'T#t#OUTBOX#c'])
    expect(batches[0]!.Records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: expect.stringContaining(table),
      dynamodb: {
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        Keys: { pk: { S: 'T#t#OUTBOX#a' }, sk: { S: 'OUTBOX' } },
      },
    })
    expect(typeof batches[0]!.Records[0]!.dynamodb!.ApproximateCreationDateTime).toBe('number')
    const checkpoints = JSON.parse(readFileSync(join(dataDir, 'stream-checkpoints.json'), 'utf8'))
    expect(Object.values(checkpoints)).toContain(batches[1]!.Records[1]!.dynamodb!.SequenceNumber)

    // Act: a restart sees only what was written since
    await put(table, 'd')
    const after: DynamoDBStreamEvent[] = []
    const restarted = new StreamPoller({
      endpoint,
      tables: [table],
      handler: async (e) => {
        after.push(e)
      },
      dataDir,
      intervalMs: 20,
    })
    await restarted.start()
    await vi.waitFor(() => expect(after.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 })
    await restarted.stop()

    // Assess
    expect(after.flatMap((e) => pks(e.Records))).toEqual(['T#t#OUTBOX#d'])
  })

  it('retries a whole batch when the publisher throws', async () => {
    // Prepare
    const stage = uniqueStage('str')
    await createTables(stage, testServices, { endpoint })
    const table = `crm-${stage}-echo-main`
    await put(table, 'x')
    let calls = 0
    const seen: string[] = []
    const poller = new StreamPoller({
      endpoint,
      tables: [table],
      dataDir: mkdtempSync(join(tmpdir(), 'relay-streams-')),
      intervalMs: 20,
      handler: async (e) => {
        calls++
        if (calls === 1) throw new Error('bus down')
        seen.push(...(pks(e.Records) as string[]))
      },
    })

    // Act
    await poller.start()
    await vi.waitFor(() => expect(seen).toEqual(['T#t#OUTBOX#x']), { timeout: 10_000 })
    await poller.stop()

    // Assess
    expect(calls).toBe(2)
  })

  it('reads a shard that is behind again at once, and an idle one only after the interval', async () => {
    // Prepare: 35 records, batches of 10, an interval no test would wait for
    const stage = uniqueStage('str')
    await createTables(stage, testServices, { endpoint })
    const table = `crm-${stage}-echo-main`
    for (let i = 0; i < 35; i++) await put(table, `b${String(i).padStart(2, '0')}`)
    const sizes: number[] = []
    const poller = new StreamPoller({
      endpoint,
      tables: [table],
      dataDir: mkdtempSync(join(tmpdir(), 'relay-streams-')),
      intervalMs: 600_000,
      batchSize: 10,
      handler: async (e) => {
        sizes.push(e.Records.length)
      },
    })

    // Act: the first poll starts at once; each full batch is followed by another poll at once
    await poller.start()
    await vi.waitFor(() => expect(sizes.reduce((a, b) => a + b, 0)).toBe(35), { timeout: 10_000 })
    await poller.stop()

    // Assess: in order, in full batches, and the short last batch ended the burst
    expect(sizes).toEqual([10, 10, 10, 5])
  })

  it('runs the two publishers as two filtered mappings of one stream, each with its own checkpoints', async () => {
    // Prepare: events and work messages interleaved, an entity write between them
    const stage = uniqueStage('str')
    await createTables(stage, testServices, { endpoint })
    const table = `crm-${stage}-echo-main`
    const dir = mkdtempSync(join(tmpdir(), 'relay-streams-'))
    await putKind(table, 'e1', 'outbox')
    await putKind(table, 'q1', 'queue')
    await putKind(table, 'x1', 'contact')
    await putKind(table, 'q2', 'queue')
    await putKind(table, 'e2', 'outbox')
    const events: DynamoDBStreamEvent[] = []
    const messages: DynamoDBStreamEvent[] = []
    let failQ2 = true
    const mapping = (name: string | undefined, kind: 'outbox' | 'queue', into: DynamoDBStreamEvent[]) =>
      new StreamPoller({
        endpoint,
        tables: [table],
        dataDir: dir,
        intervalMs: 20,
        filter: outboxKindFilter(kind),
        ...(name ? { name } : {}),
        handler: async (e) => {
          into.push(e)
          const q2 = e.Records.find((r) => r.dynamodb?.NewImage?.pk?.S === 'T#t#OUTBOX#q2')
          if (q2 && failQ2) {
            failQ2 = false
            return { batchItemFailures: [{ itemIdentifier: q2.dynamodb!.SequenceNumber! }] }
          }
          return { batchItemFailures: [] }
        },
      })
    const eventPoller = mapping(undefined, 'outbox', events)
    const queuePoller = mapping('queue', 'queue', messages)

    // Act
    await Promise.all([eventPoller.start(), queuePoller.start()])
    await vi.waitFor(() => expect(messages.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 })
    await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(1), { timeout: 10_000 })
    await Promise.all([eventPoller.stop(), queuePoller.stop()])

    // Assess: each saw only its kind, in stream order; the queue mapping's failure held back only
    // itself, and its retry started at the failed record.
    expect(events.map((e) => pks(e.Records))).toEqual([['T#t#OUTBOX#e1', 'T#t#OUTBOX#e2']])
    expect(messages.map((e) => pks(e.Records))).toEqual([
      ['T#t#OUTBOX#q1', 'T#t#OUTBOX#q2'],
      ['T#t#OUTBOX#q2'],
    ])
    const eventCheckpoints = JSON.parse(readFileSync(join(dir, 'stream-checkpoints.json'), 'utf8'))
    const queueCheckpoints = JSON.parse(readFileSync(join(dir, 'stream-checkpoints-queue.json'), 'utf8'))
    // The event mapping is done with the whole batch (e2 is its last record); the queue mapping
    // checkpointed the record after q2 too (e2, filtered out, counts as processed).
    expect(Object.values(eventCheckpoints)).toEqual([events[0]!.Records[1]!.dynamodb!.SequenceNumber])
    expect(Object.values(queueCheckpoints)).toEqual(Object.values(eventCheckpoints))

    // Act: a restart of each sees only what was written since; a batch with nothing of its kind
    // does not invoke it, but moves its checkpoint.
    await putKind(table, 'q3', 'queue')
    await putKind(table, 'x2', 'contact')
    const afterEvents: string[] = []
    const afterMessages: string[] = []
    const restart = (name: string | undefined, kind: 'outbox' | 'queue', into: string[]) =>
      new StreamPoller({
        endpoint,
        tables: [table],
        dataDir: dir,
        intervalMs: 20,
        filter: outboxKindFilter(kind),
        ...(name ? { name } : {}),
        handler: async (e) => {
          into.push(...(pks(e.Records) as string[]))
        },
      })
    const events2 = restart(undefined, 'outbox', afterEvents)
    const queue2 = restart('queue', 'queue', afterMessages)
    await Promise.all([events2.start(), queue2.start()])
    await vi.waitFor(() => expect(afterMessages).toEqual(['T#t#OUTBOX#q3']), { timeout: 10_000 })
    await vi.waitFor(
      () =>
        expect(
          Object.values(JSON.parse(readFileSync(join(dir, 'stream-checkpoints.json'), 'utf8'))),
        ).not.toEqual(Object.values(eventCheckpoints)),
      { timeout: 10_000 },
    )
    await Promise.all([events2.stop(), queue2.stop()])
    expect(afterEvents).toEqual([])
  })
})
