/**
 * A 10 000-row CSV import on DynamoDB Local: the real start-import and run-import handlers, the bus
 * replaced by this test calling run-import for each chunk the job asks for next (the end-to-end
 * chain through the outbox and the local bus is in import-scale.e2e.test.ts). Names in many
 * scripts, phones, companies, in-file duplicates, existing addresses and bad rows.
 *
 * It brings its own DynamoDB Local: DynamoDB Local slows down as its (stream) tables fill, so on the
 * suite's shared instance, after everything else has written to it, these 10 000 rows took 9
 * minutes instead of one, and their 150 000 items slowed every file running beside them.
 */

import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { CreateContact } from '@relay/contracts/contacts'
import { documentClient, resetDocumentClient } from '@relay/core/ddb'
import { newId } from '@relay/core/ids'
import { type DynamoDbLocal, startDynamoDbLocal } from '@relay/local/dynamodb'
import { mockClient } from 'aws-sdk-client-mock'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createServiceTable } from '../../../test/support/tables.js'
import { buildContact } from '../src/domain/contact.js'
import { importRowId, newImportJob } from '../src/domain/csv-import.js'
import { handler as runImport } from '../src/handlers/run-import.js'
import { handler as startImport } from '../src/handlers/start-import.js'
import { manifest } from '../src/service.js'
import { getContact, insertContact } from '../src/store/contacts.js'
import { listDuplicates } from '../src/store/duplicates.js'
import { getImportJob, insertImportJob, writeImportChunks } from '../src/store/import-jobs.js'
import { searchContacts } from '../src/store/search.js'
import { context, httpEvent, parse, queuedIn, queueEvent } from './helpers.js'

const STAGE = `it${newId().slice(-8).toLowerCase()}`
const TENANT = `t-${newId().slice(-8).toLowerCase()}`
const ROWS = 10_000
const NAMES = [
  ['สมชาย', 'ใจดี'],
  ['Siân', 'Llewelyn'],
  ['Dafydd', 'ap Gwilym'],
  ['Zoë', 'Müller'],
  ['Nguyễn', 'Văn An'],
  ['Олег', 'Петров'],
  ['محمد', 'الأحمد'],
  ['Ana', 'García'],
] as const

// The queue's part is played by this test: each message that start-import's or run-import's
// committed transaction carries (a queue-outbox item) is delivered, as the outbox publisher would.
const sqs = mockClient(SQSClient)
const committed: Record<string, unknown>[] = []

/** Records the items of every TransactWriteItems that commits (a Scan of 150 000 items per chunk would not do). */
function recordCommits(): void {
  const client = documentClient()
  const send = client.send.bind(client)
  vi.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
    const out = await send(command as never)
    if (command instanceof TransactWriteCommand)
      for (const item of command.input.TransactItems ?? []) if (item.Put?.Item) committed.push(item.Put.Item)
    return out
  }) as never)
}

describe('a 10 000-row import on DynamoDB Local', () => {
  let own: DynamoDbLocal | undefined
  beforeAll(async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] })
    own = await startDynamoDbLocal({ inMemory: true })
    process.env.DYNAMODB_ENDPOINT = own.endpoint
    resetDocumentClient()
    await createServiceTable(STAGE, manifest)
    recordCommits()
  }, 120_000)
  afterAll(async () => {
    // Nothing sends directly: every message travelled in a transaction.
    expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand)
    vi.restoreAllMocks()
    resetDocumentClient()
    await own?.stop()
  })

  it('creates, upserts, skips and reports bad rows with exact counts, every row findable', async () => {
    // Prepare: two addresses exist already (one will gain a tag, one is imported unchanged);
    // row 5 000 is bad, row 9 999 repeats row 42's address, rows 3 and 4 are the same person twice.
    for (const [n, tags] of [
      [7, ['old']],
      [8, ['imported']],
    ] as const) {
      const c = buildContact(
        CreateContact.parse({ firstName: `Old ${n}`, emails: [{ address: `row${n}@ten.example` }], tags }),
        { id: newId(), ownerId: 'u-1', now: new Date().toISOString(), region: 'GB' },
      )
      await insertContact(TENANT, c, 'corr')
    }
    const lines = ['\uFEFFFirst,Last,E-mail,Phone,Company,Tags']
    for (let n = 1; n <= ROWS; n++) {
      const [first, last] = NAMES[n % NAMES.length]!
      const phone = n % 2 ? `+44 20 7${String(10_000_000 + n).slice(1)}` : ''
      const company = n % 10 === 0 ? 'Tŷ Coffi Cyf' : ''
      if (n === 5_000) lines.push('Bad,Row,not-an-email,,,x')
      else if (n === 9_999) lines.push('Again,Later,row42@ten.example,,,again')
      else if (n === 8) lines.push('Old 8,,row8@ten.example,,,imported')
      else if (n === 4) lines.push(`${first},${last},row4@ten.example,${lines[3]?.split(',')[3]},,imported`)
      else lines.push(`${first},"${last} ${n}",row${n}@ten.example,${phone},${company},imported`)
    }
    const mapping = {
      First: 'firstName',
      Last: 'lastName',
      'E-mail': 'email',
      Phone: 'phone',
      Company: 'companyName',
      Tags: 'tags',
    }
    const started = parse(
      await startImport(
        httpEvent({
          method: 'POST',
          path: '/contacts/imports',
          tenant: TENANT,
          roles: ['marketing'],
          body: { csv: lines.join('\r\n'), mapping },
        }),
        context,
      ),
    )
    expect(started.status, JSON.stringify(started.body)).toBe(201)
    const id = started.body.id as string

    // Act: the queue's part, one chunk after the other, as long as the job asks for one
    const t0 = performance.now()
    for (let chunk = 0; ; chunk++) {
      const state = await getImportJob(TENANT, id)
      if (state?.job.status === 'completed') break
      expect(state?.nextChunk).toBe(chunk)
      const asked = queuedIn(committed, 'import-chunks').filter((m) => m.body.jobId === id)
      expect(asked).toHaveLength(chunk + 1)
      const message = asked[chunk]!.body
      expect(message).toEqual({ tenantId: TENANT, jobId: id, chunk, correlationId: expect.any(String) })
      expect((await runImport(queueEvent(message))).batchItemFailures).toEqual([])
    }
    const seconds = (performance.now() - t0) / 1000
    console.info(
      `10 000-row import on DynamoDB Local: ${seconds.toFixed(1)} s, ${Math.round(ROWS / seconds)} rows/s`,
    )

    // Assess
    const job = (await getImportJob(TENANT, id))?.job
    expect(job).toMatchObject({
      status: 'completed',
      total: ROWS,
      processed: ROWS,
      created: ROWS - 4,
      updated: 2,
      skipped: 1,
      failed: 1,
    })
    expect(job?.errors).toEqual([expect.objectContaining({ row: 5_000, field: 'emails.0.address' })])
    const thai = await getContact(TENANT, importRowId(id, 7_777 - (7_777 % NAMES.length)))
    expect(thai).toMatchObject({ firstName: 'สมชาย', lastName: `ใจดี ${7_777 - (7_777 % NAMES.length)}` })
    expect((await searchContacts(TENANT, { q: 'row42@ten' })).items[0]).toMatchObject({
      lastName: 'Later',
      tags: ['imported', 'again'],
    })
    expect((await searchContacts(TENANT, { q: 'row9998@ten.example' })).items).toHaveLength(1)
    expect(await getContact(TENANT, importRowId(id, 1_001))).toMatchObject({
      firstName: 'Siân'.normalize('NFC'),
      phones: [{ number: '+442070001001' }],
    })
    // Rows 3 and 4 share a phone: flagged as a likely duplicate pair on the way in.
    const pairs = await listDuplicates(TENANT, {})
    expect(pairs.items.map((p) => p.contacts.map((c) => c.emails[0]?.address).sort())).toContainEqual([
      'row3@ten.example',
      'row4@ten.example',
    ])
  }, 600_000)

  it('numbers rows across chunks of any size (a chunk cut short by its byte cap)', async () => {
    const tenantId = `t-${newId().slice(-8).toLowerCase()}`
    const now = new Date().toISOString()
    const id = newId()
    const row = (n: number) => ({ firstName: `Chunk ${n}`, email: `c${n}@chunks.example` })
    await insertImportJob(
      tenantId,
      newImportJob({ id, upload: false, createdBy: 'u-1', now, total: 5 }),
      {},
      2,
      'corr',
    )
    await writeImportChunks(tenantId, id, 0, [
      [row(1), row(2), row(3)],
      [row(4), { firstName: 'Bad', email: 'not-an-email' }],
    ])
    for (const chunk of [0, 1]) {
      const result = await runImport(queueEvent({ tenantId, jobId: id, chunk, correlationId: 'corr' }))
      expect(result.batchItemFailures).toEqual([])
    }
    const job = (await getImportJob(tenantId, id))?.job
    expect(job).toMatchObject({ status: 'completed', processed: 5, created: 4, failed: 1 })
    expect(job?.errors).toEqual([expect.objectContaining({ row: 5, field: 'emails.0.address' })])
    expect(await getContact(tenantId, importRowId(id, 4))).toMatchObject({ firstName: 'Chunk 4' })
  })
})
