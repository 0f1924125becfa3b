/**
 * The work queues inside the local runtime: every manifest queue created with its dead-letter
 * queue, the URLs in the handlers' environment, core's `sendToQueue` and `createWorker` through the
 * real SDK, the consumers honouring `batchItemFailures` and visibility timeouts, dead letters after
 * maxReceiveCount, and the `/_local/queues` routes that list and redrive them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { queueEnvVar } from '@relay/core/names'
import { resetSqsClient, sendToQueue } from '@relay/core/queue'
import type { SQSEvent } from 'aws-lambda'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type LocalRuntime, startLocal } from '../src/runtime.js'
import { uniqueStage } from './fixtures/index.js'
import { manifest } from './fixtures/queues/src/service.js'

const g = globalThis as {
  __jobs?: { n: number; receiveCount: number }[]
  __jobsHealed?: boolean
  __rawEvents?: SQSEvent[]
}
const queuesService = { manifest, root: fileURLToPath(new URL('./fixtures/queues', import.meta.url)) }
const dataDir = mkdtempSync(join(tmpdir(), 'relay-sqs-rt-'))
let rt: LocalRuntime

beforeAll(async () => {
  rt = await startLocal({
    port: 0,
    stage: uniqueStage('sqs'),
    dataDir,
    dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT!,
    services: [queuesService],
    quiet: true,
    schedules: false,
  })
  resetSqsClient()
})
afterAll(async () => {
  await rt?.stop()
  resetSqsClient()
  rmSync(dataDir, { recursive: true, force: true })
})
beforeEach(() => {
  g.__jobs = []
  g.__rawEvents = []
  g.__jobsHealed = false
})

const local = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${rt.url}/_local/${path}`, init)
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}
const until = async (check: () => boolean, ms = 8000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('work queues in the local runtime', () => {
  it('creates every manifest queue and hands its URL and the endpoint to the handlers', async () => {
    expect(process.env.SQS_ENDPOINT).toBe(rt.sqsEndpoint)
    expect(process.env[queueEnvVar('qtest', 'jobs')]).toMatch(
      new RegExp(`^${rt.sqsEndpoint}/000000000000/crm-${rt.stage}-qtest-jobs$`),
    )
    const { status, body } = await local('queues')
    expect(status).toBe(200)
    expect(body.items).toEqual([
      expect.objectContaining({ service: 'qtest', queue: 'jobs', consumer: 'work', deadLetters: 0 }),
      expect.objectContaining({ service: 'qtest', queue: 'raw', consumer: 'raw', deadLetters: 0 }),
    ])
  })

  it("invokes the consumer with SQS's event shape and deletes what it handled", async () => {
    await sendToQueue('qtest', 'raw', [{ hello: 'world' }])
    await until(() => (g.__rawEvents?.length ?? 0) > 0)
    await rt.queues.idle()

    const record = g.__rawEvents![0]!.Records[0]!
    expect(JSON.parse(record.body)).toEqual({ hello: 'world' })
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:crm-${rt.stage}-qtest-raw`,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    })
    expect(record.receiptHandle).toBeTruthy()
    expect(record.messageId).toBeTruthy()
  })

  it('delivers again, after the visibility timeout, only the messages named in batchItemFailures, then dead-letters them', async () => {
    await sendToQueue('qtest', 'raw', ['ok-1', 'fail-2', 'ok-3'])
    await until(() => rt.queues.list().find((q) => q.queue === 'raw')?.deadLetters === 1)
    await rt.queues.idle()

    const deliveries = g.__rawEvents!.flatMap((e) =>
      e.Records.map((r) => [JSON.parse(r.body), r.attributes.ApproximateReceiveCount]),
    )
    expect(deliveries.filter(([b]) => b === 'ok-1')).toEqual([['ok-1', '1']])
    expect(deliveries.filter(([b]) => b === 'fail-2')).toEqual([
      ['fail-2', '1'],
      ['fail-2', '2'],
    ])
    const { body } = await local(`queues/qtest/raw/dead-letters`)
    expect(body.items).toEqual([expect.objectContaining({ body: 'fail-2', receiveCount: 2 })])
  })

  it('delivers the whole batch again when the consumer throws', async () => {
    await sendToQueue('qtest', 'raw', ['throw-a', 'b'])
    const deadBodies = () => rt.queues.deadLetters('qtest', 'raw').map((d) => d.body)
    await until(() => deadBodies().includes('throw-a'))
    await rt.queues.idle()

    const events = g.__rawEvents!.map((e) => e.Records.map((r) => JSON.parse(r.body) as string))
    const thrown = events.find((bodies) => bodies.includes('throw-a'))!
    for (const body of thrown) {
      expect(events.filter((bodies) => bodies.includes(body)).length, body).toBeGreaterThanOrEqual(2)
    }
  })

  it("runs core's worker: a failing job comes back with its receive count, is dead-lettered, and is redriven once fixed", async () => {
    await sendToQueue('qtest', 'jobs', [
      { tenantId: 'acme', n: 1 },
      { tenantId: 'acme', n: 2, fail: true },
    ])
    await until(() => rt.queues.list().find((q) => q.queue === 'jobs')?.deadLetters === 1)
    await rt.queues.idle()
    expect(g.__jobs).toEqual(
      expect.arrayContaining([
        { n: 1, receiveCount: 1 },
        { n: 2, receiveCount: 1 },
        { n: 2, receiveCount: 2 },
      ]),
    )
    expect(g.__jobs).toHaveLength(3)

    const listed = await local('queues/qtest/jobs/dead-letters')
    const dead = listed.body.items as { messageId: string; body: unknown }[]
    expect(dead).toEqual([expect.objectContaining({ body: { tenantId: 'acme', n: 2, fail: true } })])

    g.__jobsHealed = true
    const redriven = await local('queues/qtest/jobs/dead-letters/redrive', {
      method: 'POST',
      body: JSON.stringify({ ids: [dead[0]!.messageId] }),
    })
    expect(redriven).toEqual({ status: 200, body: { redriven: 1 } })
    await until(() => g.__jobs!.length === 4)
    await rt.queues.idle()
    expect(g.__jobs!.at(-1)).toEqual({ n: 2, receiveCount: 1 })
    expect((await local('queues/qtest/jobs/dead-letters')).body.items).toEqual([])
  })

  it('answers 404 for an unknown queue and 400 for a malformed redrive body', async () => {
    expect((await local('queues/qtest/nope/dead-letters')).status).toBe(404)
    const bad = await local('queues/qtest/jobs/dead-letters/redrive', { method: 'POST', body: '{"ids": 3}' })
    expect(bad.status).toBe(400)
  })
})
