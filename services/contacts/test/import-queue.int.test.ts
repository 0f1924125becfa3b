/**
 * Import chunks on the `import-chunks` work queue, on DynamoDB Local with SQS faked: each message
 * imports one chunk and asks for the next in the same transaction (a queue-outbox item, which the
 * outbox publisher sends; nothing here calls SQS); a redelivered or repeated message counts
 * nothing twice; a crash mid-chunk resumes and asks for nothing; a message ahead of its chunk
 * comes back later.
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import type { ImportJob } from '@relay/contracts/contact-imports'
import { documentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createServiceTable, dropTable } from '../../../test/support/tables.js'
import { importRowId, newImportJob } from '../src/domain/csv-import.js'
import { handler as runImport } from '../src/handlers/run-import.js'
import { manifest } from '../src/service.js'
import { getContact } from '../src/store/contacts.js'
import { getImportJob, insertImportJob, writeImportChunks } from '../src/store/import-jobs.js'
import { outboxItemsOf, queuedIn, queueEvent } from './helpers.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const sqs = mockClient(SQSClient)
const tenant = () => `t-${newId().slice(-8).toLowerCase()}`

const newJob = (chunks: number): ImportJob =>
  newImportJob({
    id: newId(),
    upload: false,
    createdBy: 'u-1',
    now: new Date().toISOString(),
    total: chunks * 3,
  })
const rows = (chunk: number) =>
  [1, 2, 3].map((n) => ({ firstName: `Row ${chunk}.${n}`, email: `r${chunk}-${n}@queue.example` }))

/** A job of `chunks` chunks of 3 rows, as start-import leaves it (chunk 0 asked for). */
async function startedJob(tenantId: string, chunks: number): Promise<ImportJob> {
  const job = newJob(chunks)
  await writeImportChunks(
    tenantId,
    job.id,
    0,
    Array.from({ length: chunks }, (_, c) => rows(c)),
  )
  await insertImportJob(tenantId, job, {}, chunks, 'corr-queue')
  return job
}
const message = (tenantId: string, jobId: string, chunk: number) => ({
  tenantId,
  jobId,
  chunk,
  correlationId: 'corr-queue',
})
const failures = async (event: ReturnType<typeof queueEvent>) => (await runImport(event)).batchItemFailures

describe('import chunks on the work queue, on DynamoDB Local', () => {
  let table: string
  /** The chunks asked for so far, as committed (what the table's stream hands the publisher). */
  const asked = async (tenantId: string) => queuedIn(await outboxItemsOf(table, tenantId), 'import-chunks')
  beforeAll(async () => {
    table = await createServiceTable(STAGE, manifest)
  })
  afterAll(() => dropTable(table))
  afterEach(() => {
    // Workers never send: their writes carry their messages.
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand)
    sqs.reset()
    vi.restoreAllMocks()
  })

  it('imports one chunk per message and asks for the next one, until the last', async () => {
    const t = tenant()
    const job = await startedJob(t, 2)
    // The job's own transaction asked for chunk 0, without a delay: the job is there when it arrives.
    expect(await asked(t)).toEqual([{ body: message(t, job.id, 0), delaySeconds: undefined }])
    expect(await failures(queueEvent(message(t, job.id, 0)))).toEqual([])
    expect(await asked(t)).toEqual([
      { body: message(t, job.id, 0), delaySeconds: undefined },
      { body: message(t, job.id, 1), delaySeconds: undefined },
    ])
    expect(await getImportJob(t, job.id)).toMatchObject({
      nextChunk: 1,
      job: { status: 'running', created: 3 },
    })
    expect(await failures(queueEvent(message(t, job.id, 1)))).toEqual([])
    // The last chunk asks for nothing more.
    expect(await asked(t)).toHaveLength(2)
    expect(await getImportJob(t, job.id)).toMatchObject({
      nextChunk: 2,
      job: { status: 'completed', processed: 6, created: 6 },
    })
  })

  it('counts nothing twice: the same message redelivered, or a second message for a chunk done', async () => {
    const t = tenant()
    const job = await startedJob(t, 2)
    const first = queueEvent(message(t, job.id, 0), { messageId: 'm-0' })
    expect(await failures(first)).toEqual([])
    // SQS delivers the same message again (at least once): dropped by its id.
    expect(await failures(queueEvent(message(t, job.id, 0), { messageId: 'm-0', receiveCount: 2 }))).toEqual(
      [],
    )
    // Another message for chunk 0 (sent twice by a retried sender): nextChunk is past it.
    expect(await failures(queueEvent(message(t, job.id, 0), { messageId: 'm-0b' }))).toEqual([])
    expect(await getImportJob(t, job.id)).toMatchObject({ nextChunk: 1, job: { processed: 3, created: 3 } })
    // Chunk 1 asked for once: the repeats' transactions (and the next chunk in them) did not commit.
    expect((await asked(t)).map((m) => m.body.chunk)).toEqual([0, 1])
  })

  it('resumes a chunk that crashed half-way: the message comes back and the counts are exact', async () => {
    const t = tenant()
    const job = await startedJob(t, 1)
    // The third transaction (a row's contact) fails as a crash would: the message is not acknowledged.
    const client = documentClient()
    const send = client.send.bind(client)
    let transactions = 0
    vi.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
      if (command instanceof TransactWriteCommand && ++transactions === 3) throw new Error('process died')
      return send(command as never)
    }) as never)
    const event = queueEvent(message(t, job.id, 0), { messageId: 'm-crash' })
    expect(await failures(event)).toEqual([{ itemIdentifier: 'm-crash' }])
    const half = await getImportJob(t, job.id)
    expect(half).toMatchObject({ nextChunk: 0, job: { processed: 0, created: 0 } })
    // A crashed chunk asked for nothing (it was the last one anyway; no message beyond chunk 0).
    expect((await asked(t)).map((m) => m.body.chunk)).toEqual([0])
    vi.restoreAllMocks()
    // Redelivered after its visibility timeout: rows made before the crash are found again, once.
    expect(
      await failures(queueEvent(message(t, job.id, 0), { messageId: 'm-crash', receiveCount: 2 })),
    ).toEqual([])
    expect(await getImportJob(t, job.id)).toMatchObject({
      nextChunk: 1,
      job: { status: 'completed', processed: 3, created: 3, failed: 0 },
    })
    for (const n of [1, 2, 3]) expect(await getContact(t, importRowId(job.id, n))).toBeDefined()
  })

  it('lets a message ahead of its chunk come back, and drops one whose job is not there at once', async () => {
    const t = tenant()
    const job = await startedJob(t, 2)
    // Chunk 1 before chunk 0 committed (never sent so, but a hand-sent message can): not yet.
    const early = queueEvent(message(t, job.id, 1), { messageId: 'm-early' })
    expect(await failures(early)).toEqual([{ itemIdentifier: 'm-early' }])
    expect(await getImportJob(t, job.id)).toMatchObject({ nextChunk: 0, job: { created: 0 } })
    // A job that is not there (expired): a message is only sent once its job is written, so no
    // later delivery could find it; dropped on the first receive, no retries, no dead letter.
    const ghost = message(t, newId(), 0)
    expect(await failures(queueEvent(ghost, { messageId: 'g', receiveCount: 1 }))).toEqual([])
  })

  it('keeps the job and its first message together: a job that could not be written asks for nothing', async () => {
    const t = tenant()
    const job = await startedJob(t, 1)
    // The same job id again: its Put's condition fails, so its message is not written either.
    await expect(insertImportJob(t, job, {}, 1, 'corr-again')).rejects.toThrow()
    expect((await asked(t)).map((m) => m.body.correlationId)).toEqual(['corr-queue'])
  })
})
