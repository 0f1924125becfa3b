import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PutItemCommand } from '@aws-sdk/client-dynamodb'
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { createTables, localDynamoDbClient } from '../src/dynamodb.js'
import { StreamPoller } from '../src/streams.js'
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
})
