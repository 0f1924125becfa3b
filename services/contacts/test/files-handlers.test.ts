/**
 * The S3 side of imports and exports with DynamoDB and S3 faked (aws-sdk-client-mock): presigned
 * uploads, the uploaded file read into chunk items, export files written with a multipart upload,
 * presigned downloads, and what S3 faults do to a job (retried, then failed; never a crash loop).
 */
import { Readable } from 'node:stream'
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs'
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { ExportJob } from '@relay/contracts/contact-exports'
import type { ImportJob } from '@relay/contracts/contact-imports'
import type { S3Event } from 'aws-lambda'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { handler as getExport } from '../src/handlers/get-export.js'
import { handler as onImportUploaded } from '../src/handlers/on-import-uploaded.js'
import { handler as runExport } from '../src/handlers/run-export.js'
import { handler as startExport } from '../src/handlers/start-export.js'
import { handler as startImport } from '../src/handlers/start-import.js'
import { context, httpEvent, parse, queuedIn, queueEvent, transactedPuts } from './helpers.js'

const ddb = mockClient(DynamoDBDocumentClient)
const s3 = mockClient(S3Client)
const sqs = mockClient(SQSClient)
const BUCKET = 'crm-test-contacts-files'
const JOB = '01JD3Y0C6Z8R4F2G9QK7WXN5TB'

beforeAll(() => {
  process.env.CONTACTS_MAIN_TABLE = 'crm-test-contacts-main'
  process.env.CONTACTS_FILES_BUCKET = BUCKET
})
beforeEach(() => {
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] })
})
afterEach(() => {
  // No handler sends: its writes carry its messages (queue-outbox items), the outbox publisher sends them.
  expect(sqs).not.toHaveReceivedCommand(SendMessageBatchCommand)
  ddb.reset()
  s3.reset()
  sqs.reset()
})

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} })
const s3Fault = () =>
  new S3ServiceException({
    name: 'InternalError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
    message: 'We encountered an internal error',
  })

const importJob = (over: Partial<ImportJob> = {}): ImportJob => ({
  id: JOB,
  status: 'awaiting_upload',
  total: 0,
  processed: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
  errors: [],
  createdBy: 'user-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
})

/** The job item as the claim returns it (ALL_NEW), after `attempts` readings. */
const claimed = (attempts: number, input: Record<string, unknown> = {}) => ({
  Attributes: {
    pk: `T#acme#IMPORT#${JOB}`,
    sk: 'IMPORT',
    job: importJob(),
    input: { correlationId: 'corr-upload', ...input },
    chunks: 0,
    nextChunk: 0,
    attempts,
  },
})

const s3Event = (key: string, size: number): S3Event => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2026-01-01T00:00:00.000Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:X' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'r' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'import-uploaded',
        bucket: { name: BUCKET, ownerIdentity: { principalId: 'X' }, arn: `arn:aws:s3:::${BUCKET}` },
        object: { key, size, eTag: 'e', sequencer: '1' },
      },
    },
  ],
})

const uploadKey = `imports/acme/${JOB}.csv`
const body = (text: string) => ({
  Body: Readable.from([Buffer.from(text)]) as never,
  ContentLength: Buffer.byteLength(text),
})
/** The job an UpdateCommand saved, if it saved one. */
const savedJobs = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input.ExpressionAttributeValues?.[':job'] as ImportJob | undefined)
    .filter(Boolean)

describe('POST /contacts/imports { upload: true }', () => {
  it('creates the job awaiting its file and answers a presigned PUT that signs the content type', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({})
    // Act
    const res = parse(
      await startImport(
        httpEvent({
          method: 'POST',
          path: '/contacts/imports',
          roles: ['marketing'],
          headers: { 'x-correlation-id': 'corr-42' },
          body: {
            upload: true,
            fileName: 'Cysylltiadau.csv',
            defaultRegion: 'GB',
            mapping: { 'E-bost': 'email' },
          },
        }),
        context,
      ),
    )
    // Assess
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.headers.Location).toBe(`/contacts/imports/${res.body.id}`)
    expect(res.body).toMatchObject({ status: 'awaiting_upload', total: 0, fileName: 'Cysylltiadau.csv' })
    const url = new URL(res.body.upload.url)
    expect(res.body.upload).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv' } })
    expect(`${url.hostname}${url.pathname}`).toContain(`imports/acme/${res.body.id}.csv`)
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900')
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host')
    // A checksum of an empty body in the URL would make S3 refuse every real upload.
    expect(url.search).not.toContain('checksum')
    expect(Date.parse(res.body.upload.expiresAt) - Date.now()).toBeGreaterThan(890_000)
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input
    expect(put.Item).toMatchObject({
      pk: `T#acme#IMPORT#${res.body.id}`,
      job: { status: 'awaiting_upload' },
      input: { defaultRegion: 'GB', mapping: { 'E-bost': 'email' }, correlationId: 'corr-42' },
    })
    expect(put.ConditionExpression).toBe('attribute_not_exists(pk)')
  })

  it('takes exactly one of csv and upload, and fileName only with upload', async () => {
    for (const given of [
      { csv: 'email\na@x.io', upload: true },
      {},
      { csv: 'email\na@x.io', fileName: 'a.csv' },
    ]) {
      const res = parse(
        await startImport(httpEvent({ method: 'POST', path: '/contacts/imports', body: given }), context),
      )
      expect(res.status, JSON.stringify(given)).toBe(400)
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(
        'fileName' in given ? ['fileName'] : ['csv'],
      )
    }
    expect(ddb.calls()).toHaveLength(0)
  })

  it('answers 413 for an inline body over 5 MB (Lambda takes 6 MB with the event around it)', async () => {
    const csv = `email\n${'a@x.io\n'.repeat(720_000)}`
    const res = parse(
      await startImport(httpEvent({ method: 'POST', path: '/contacts/imports', body: { csv } }), context),
    )
    expect(res.status).toBe(413)
  })
})

describe('on-import-uploaded (S3 ObjectCreated under imports/)', () => {
  it('reads the file into chunk items with the mapping, asks for its first chunk, queues the job, and deletes the file', async () => {
    // Prepare: 1 200 rows → chunks of 500, 500, 200.
    ddb.on(UpdateCommand).resolves(claimed(1, { mapping: { 'E-bost': 'email' } }))
    ddb.on(BatchWriteCommand).resolves({})
    const csv = `\uFEFFfirstName,E-bost\r\n${Array.from({ length: 1_200 }, (_, i) => `Siân ${i},s${i}@x.cymru`).join('\r\n')}`
    s3.on(GetObjectCommand).resolves(body(csv))
    s3.on(DeleteObjectCommand).resolves({})
    // Act
    await onImportUploaded(s3Event(uploadKey, Buffer.byteLength(csv)))
    // Assess
    const claim = ddb.commandCalls(UpdateCommand)[0]!.args[0].input
    expect(claim).toMatchObject({
      Key: { pk: `T#acme#IMPORT#${JOB}`, sk: 'IMPORT' },
      UpdateExpression: 'ADD attempts :one',
    })
    expect(s3).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: uploadKey })
    const chunks = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => Object.values(c.args[0].input.RequestItems ?? {}).flat())
      .map((r) => (r as { PutRequest: { Item: { sk: string; rows: unknown[] } } }).PutRequest.Item)
    expect(chunks.map((c) => [c.sk, c.rows.length])).toEqual([
      ['CHUNK#00000', 500],
      ['CHUNK#00001', 500],
      ['CHUNK#00002', 200],
    ])
    expect(chunks[0]!.rows[0]).toEqual({ firstName: 'Siân 0', email: 's0@x.cymru' })
    // The job queued and chunk 0 asked for (on the work queue, not the bus) in ONE transaction.
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    const [queued, ...rest] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(queued!.Update).toMatchObject({
      ConditionExpression: '#job.#status = :awaiting',
      ExpressionAttributeValues: { ':job': { status: 'queued', total: 1_200 }, ':chunks': 3, ':zero': 0 },
    })
    expect(rest).toHaveLength(1)
    expect(queuedIn(transactedPuts(ddb), 'import-chunks')).toEqual([
      {
        body: { tenantId: 'acme', jobId: JOB, chunk: 0, correlationId: 'corr-upload' },
        delaySeconds: undefined,
      },
    ])
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 1)
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: BUCKET, Key: uploadKey })
  })

  it('fails a file over 50 MB by its size, before reading it', async () => {
    ddb.on(UpdateCommand).resolves(claimed(1))
    s3.on(DeleteObjectCommand).resolves({})
    await onImportUploaded(s3Event(uploadKey, 60_000_000))
    expect(s3).not.toHaveReceivedCommand(GetObjectCommand)
    expect(savedJobs()).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'too_large' }) }),
    ])
  })

  it('fails a file with an unknown column, naming it, and writes no chunk', async () => {
    ddb.on(UpdateCommand).resolves(claimed(1))
    ddb.on(BatchWriteCommand).resolves({})
    s3.on(GetObjectCommand).resolves(body('firstName,shoeSize\nAnn,38\n'))
    s3.on(DeleteObjectCommand).resolves({})
    await onImportUploaded(s3Event(uploadKey, 26))
    expect(savedJobs()).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ field: 'csv', code: 'unknown_columns' }),
      }),
    ])
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand)
  })

  it('lets Lambda retry when S3 cannot serve the file, and fails the job on the third reading', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(s3Fault())
    s3.on(DeleteObjectCommand).resolves({})
    // Act / Assess: first and second readings throw (Lambda retries the async invocation).
    for (const attempts of [1, 2]) {
      ddb.reset()
      ddb.on(UpdateCommand).resolves(claimed(attempts))
      await expect(onImportUploaded(s3Event(uploadKey, 10))).rejects.toThrow('internal error')
      expect(savedJobs()).toEqual([])
    }
    // The third one gives up: the job failed, the invocation succeeds (no endless retries).
    ddb.reset()
    ddb.on(UpdateCommand).resolves(claimed(3))
    await expect(onImportUploaded(s3Event(uploadKey, 10))).resolves.toBeUndefined()
    expect(savedJobs()).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'unreadable' }) }),
    ])
  })

  it('drops the chunks a broken read wrote when it gives up', async () => {
    // Prepare: packets arriving over time like a socket's, so chunks are written before it breaks.
    async function* broken() {
      yield Buffer.from('email\n')
      for (let packet = 0; packet < 30; packet++) {
        await new Promise((resolve) => setImmediate(resolve))
        yield Buffer.from(Array.from({ length: 100 }, (_, i) => `r${packet * 100 + i}@x.io\n`).join(''))
      }
      throw new Error('socket hang up')
    }
    ddb.on(UpdateCommand).resolves(claimed(3))
    ddb.on(BatchWriteCommand).resolves({})
    s3.on(GetObjectCommand).resolves({ Body: Readable.from(broken()) as never, ContentLength: 10_000 })
    s3.on(DeleteObjectCommand).resolves({})
    // Act
    await onImportUploaded(s3Event(uploadKey, 10_000))
    // Assess
    const requests = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => Object.values(c.args[0].input.RequestItems ?? {}).flat()) as {
      PutRequest?: { Item: { pk: string; sk: string } }
      DeleteRequest?: { Key: { pk: string; sk: string } }
    }[]
    const written = requests.flatMap((r) =>
      r.PutRequest ? [{ pk: r.PutRequest.Item.pk, sk: r.PutRequest.Item.sk }] : [],
    )
    expect(written.length).toBeGreaterThan(0)
    expect(requests.flatMap((r) => (r.DeleteRequest ? [r.DeleteRequest.Key] : []))).toEqual(written)
    expect(savedJobs()).toEqual([expect.objectContaining({ status: 'failed' })])
  })

  it('ignores keys that name no job awaiting its file, without reading them', async () => {
    // Another key shape: nothing is looked up.
    await onImportUploaded(s3Event('imports/acme/notes.txt', 10))
    expect(ddb.calls()).toHaveLength(0)
    // A job already read (a second delivery of the event): the claim's condition fails.
    ddb.on(UpdateCommand).rejects(conditionFailed())
    await onImportUploaded(s3Event(uploadKey, 10))
    expect(s3).not.toHaveReceivedCommand(GetObjectCommand)
  })

  it('reads the tenant from the URL-encoded key as S3 sends it', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed())
    // Tenant `acme /+co`: key imports/acme%20%2F%2Bco/<job>.csv, form-encoded once more in the event.
    await onImportUploaded(s3Event(`imports/acme%2520%252F%252Bco/${JOB}.csv`, 10))
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input.Key).toEqual({
      pk: `T#acme /+co#IMPORT#${JOB}`,
      sk: 'IMPORT',
    })
  })
})

const contactItem = (n: number) => {
  const id = `01JD3Y0C6Z8R4F2G9Q${String(n).padStart(8, '0')}`
  return {
    pk: `T#acme#CONTACT#${id}`,
    sk: 'CONTACT',
    gsi1pk: 'T#acme#CONTACTS',
    gsi1sk: `T#acme#CONTACT#${id}`,
    kind: 'contact',
    id,
    firstName: n % 2 ? 'สมชาย' : 'Siân',
    displayName: `Person ${n}`,
    emails: [{ address: `p${n}@example.com`, primary: true }],
    phones: [],
    tags: ['vip'],
    ownerId: 'user-1',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }
}

/** gsi1 pages of 100 contacts, `total` in all. */
const pagesOf = (total: number) => async (input: { ExclusiveStartKey?: { gsi1sk?: string } }) => {
  const start = input.ExclusiveStartKey ? Number(input.ExclusiveStartKey.gsi1sk!.slice(-8)) + 1 : 0
  const items = Array.from({ length: Math.min(100, total - start) }, (_, i) => contactItem(start + i))
  const last = items[items.length - 1]
  return {
    Items: items,
    ...(start + items.length < total && last
      ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk, gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk } }
      : {}),
  }
}

const NOW = new Date().toISOString()
const exportJob = (over: Partial<ExportJob> = {}): ExportJob => ({
  id: JOB,
  status: 'running',
  format: 'csv',
  filters: {},
  rows: 0,
  bytes: 0,
  createdBy: 'user-1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
})
const claimedExport = (attempts: number, over: Partial<ExportJob> = {}) => ({
  Attributes: { pk: `T#acme#EXPORT#${JOB}`, sk: 'EXPORT', job: exportJob(over), attempts },
})
const exportRun = (receiveCount = 1) =>
  queueEvent({ tenantId: 'acme', jobId: JOB, correlationId: 'corr-export' }, { receiveCount })
const failedMessages = (result: { batchItemFailures: unknown[] }) => result.batchItemFailures.length

describe('run-export (queue export-runs)', () => {
  it('streams every page into the file and completes the job with ContactExport.Completed, in one transaction', async () => {
    // Prepare: 250 contacts in 3 pages.
    ddb.on(GetCommand).resolves({})
    ddb.on(UpdateCommand).resolves(claimedExport(1))
    ddb.on(QueryCommand).callsFake(pagesOf(250))
    ddb.on(TransactWriteCommand).resolves({})
    s3.on(PutObjectCommand).resolves({ ETag: '"e"' })
    // Act
    const result = await runExport(exportRun())
    // Assess
    expect(failedMessages(result)).toBe(0)
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input
    expect(put).toMatchObject({
      Bucket: BUCKET,
      Key: `exports/acme/${JOB}.csv`,
      ContentType: 'text/csv; charset=utf-8',
    })
    const text = Buffer.from(put.Body as Uint8Array).toString('utf8')
    const lines = text.split('\r\n').filter(Boolean)
    expect(text.startsWith('\uFEFFid,firstName,lastName')).toBe(true)
    expect(lines).toHaveLength(251)
    expect(lines[2]).toContain('สมชาย')
    const tx = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(tx[0]!.Update).toMatchObject({
      ConditionExpression: '#job.#status = :running',
      ExpressionAttributeValues: {
        ':job': { status: 'completed', rows: 250, bytes: Buffer.byteLength(text) },
      },
    })
    expect(tx[1]!.Put!.Item).toMatchObject({
      detailType: 'ContactExport.Completed',
      detail: expect.objectContaining({
        correlationId: 'corr-export',
        data: expect.objectContaining({ id: JOB, rows: 250, format: 'csv' }),
      }),
    })
    // The message's dedupe record rides in the same transaction.
    expect(tx[2]!.Put!.Item).toMatchObject({ kind: 'message', queue: 'export-runs' })
  })

  it('aborts the multipart upload when a part fails, retries, and fails the job on the third run', async () => {
    // Prepare: > 5 MB of JSON lines, so lib-storage goes multipart; every part upload fails.
    ddb.on(GetCommand).resolves({})
    ddb.on(QueryCommand).callsFake(pagesOf(20_000))
    ddb.on(PutCommand).resolves({})
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' })
    s3.on(UploadPartCommand).rejects(s3Fault())
    s3.on(AbortMultipartUploadCommand).resolves({})
    // Act / Assess: the first run fails its message so SQS delivers it again, leaving no parts behind.
    ddb.on(UpdateCommand).resolves(claimedExport(1, { format: 'jsonl' }))
    expect(failedMessages(await runExport(exportRun()))).toBe(1)
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, {
      UploadId: 'up-1',
      Key: `exports/acme/${JOB}.jsonl`,
    })
    expect(savedExportJobs()).toEqual([])
    // The third run fails the job and ends, so the message is not delivered again.
    ddb.on(UpdateCommand).resolves(claimedExport(3, { format: 'jsonl' }))
    expect(failedMessages(await runExport(exportRun(3)))).toBe(0)
    expect(savedExportJobs()).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.objectContaining({ code: 'write_failed' }) }),
    ])
  }, 60_000)

  it('does nothing for a job that has finished (a second message for it)', async () => {
    ddb.on(GetCommand).resolves({})
    ddb
      .on(GetCommand, { Key: { pk: `T#acme#EXPORT#${JOB}`, sk: 'EXPORT' } })
      .resolves({ Item: claimedExport(1, { status: 'completed' }).Attributes })
    ddb.on(UpdateCommand).rejects(conditionFailed())
    ddb.on(PutCommand).resolves({})
    expect(failedMessages(await runExport(exportRun()))).toBe(0)
    expect(s3.calls()).toHaveLength(0)
    expect(ddb).not.toHaveReceivedCommand(QueryCommand)
  })

  it('drops a message whose job is not there at once: it is only ever sent once its job is written', async () => {
    ddb.on(GetCommand).resolves({})
    ddb.on(UpdateCommand).rejects(conditionFailed())
    ddb.on(PutCommand).resolves({})
    expect(failedMessages(await runExport(exportRun(1)))).toBe(0)
    expect(s3.calls()).toHaveLength(0)
    expect(ddb).not.toHaveReceivedCommand(QueryCommand)
  })
})

/** Export jobs saved by UpdateCommand (fail), excluding the claim. */
const savedExportJobs = () =>
  ddb
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input.ExpressionAttributeValues?.[':job'] as ExportJob | undefined)
    .filter(Boolean)

describe('POST /contacts/exports and GET /contacts/exports/{id}', () => {
  it('creates the queued job and asks for its run on the work queue in one transaction, and answers 201 + Location', async () => {
    ddb.on(TransactWriteCommand).resolves({})
    const res = parse(
      await startExport(
        httpEvent({
          method: 'POST',
          path: '/contacts/exports',
          roles: ['viewer'],
          body: { format: 'jsonl', filters: { tag: 'vip', lifecycleStage: 'lead' } },
        }),
        context,
      ),
    )
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.headers.Location).toBe(`/contacts/exports/${res.body.id}`)
    expect(res.body).toMatchObject({
      status: 'queued',
      format: 'jsonl',
      filters: { tag: 'vip', lifecycleStage: 'lead' },
    })
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1)
    const [put, ...rest] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!
    expect(put!.Put!.Item).toMatchObject({ pk: `T#acme#EXPORT#${res.body.id}`, sk: 'EXPORT', kind: 'export' })
    expect(put!.Put!.ConditionExpression).toBe('attribute_not_exists(pk)')
    expect(Number(put!.Put!.Item!.ttl) - Date.now() / 1000).toBeGreaterThan(6.9 * 24 * 3600)
    expect(rest).toHaveLength(1)
    expect(queuedIn(transactedPuts(ddb), 'export-runs')).toEqual([
      {
        body: { tenantId: 'acme', jobId: res.body.id, correlationId: expect.any(String) },
        delaySeconds: undefined,
      },
    ])
    // No bus event: ContactExport.Requested is internal work, not in the public catalogue.
    expect(transactedPuts(ddb).filter((i) => i?.kind === 'outbox')).toEqual([])
    expect(ddb).not.toHaveReceivedCommand(PutCommand)
  })

  it('refuses unknown filters and a q without a searchable word', async () => {
    for (const filters of [{ colour: 'red' }, { q: 'a b' }]) {
      const res = parse(
        await startExport(
          httpEvent({ method: 'POST', path: '/contacts/exports', body: { filters } }),
          context,
        ),
      )
      expect(res.status).toBe(400)
      expect(res.body.errors[0].field).toMatch(/^filters\./)
    }
  })

  it('links a completed export with a fresh presigned GET (1 hour) that downloads as an attachment', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        job: exportJob({ status: 'completed', rows: 3, bytes: 100, createdAt: NOW, completedAt: NOW }),
      },
    })
    const res = parse(
      await getExport(
        httpEvent({ method: 'GET', path: `/contacts/exports/${JOB}`, params: { id: JOB } }),
        context,
      ),
    )
    expect(res.status).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const url = new URL(res.body.download.url)
    expect(url.pathname).toContain(`exports/acme/${JOB}.csv`)
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600')
    expect(url.searchParams.get('response-content-disposition')).toContain(`contacts-${NOW.slice(0, 10)}.csv`)
    expect(Date.parse(res.body.download.expiresAt) - Date.now()).toBeGreaterThan(3_590_000)
  })

  it('answers a completed job whose file has expired as expired, without a link', async () => {
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600_000).toISOString()
    ddb
      .on(GetCommand)
      .resolves({ Item: { job: exportJob({ status: 'completed', createdAt: eightDaysAgo }) } })
    const res = parse(
      await getExport(
        httpEvent({ method: 'GET', path: `/contacts/exports/${JOB}`, params: { id: JOB } }),
        context,
      ),
    )
    expect(res.body).toMatchObject({ status: 'expired' })
    expect(res.body.download).toBeUndefined()
  })

  it('answers a job that is not completed without a link, and another tenant with 404', async () => {
    ddb.on(GetCommand).resolves({ Item: { job: exportJob({ status: 'queued' }) } })
    const queued = parse(
      await getExport(
        httpEvent({ method: 'GET', path: `/contacts/exports/${JOB}`, params: { id: JOB } }),
        context,
      ),
    )
    expect(queued.body.download).toBeUndefined()
    ddb.reset()
    ddb.on(GetCommand).resolves({})
    const missing = parse(
      await getExport(
        httpEvent({ method: 'GET', path: `/contacts/exports/${JOB}`, params: { id: JOB }, tenant: 'other' }),
        context,
      ),
    )
    expect(missing.status).toBe(404)
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.Key).toEqual({
      pk: `T#other#EXPORT#${JOB}`,
      sk: 'EXPORT',
    })
  })
})
