/**
 * CSV import jobs: `T#<t>#IMPORT#<id>` / `IMPORT` (the job, its counts, `chunks`, `nextChunk`,
 * `attempts`; ttl 30 days) and `/ CHUNK#<nnnnn>` (≤ 500 parsed rows and ≤ 300 KB each; deleted once
 * run; ttl 30 days).
 *
 * Access patterns:
 * 18. Inline job: BatchWrite the rows as chunk items, then ONE transaction: Put the job + chunk 0
 *     asked for (a queue-outbox item for `import-chunks`). GET: GetItem of the job (consistent).
 * 18u. Upload job: Put the job (`awaiting_upload`, no event yet). The S3 trigger claims it
 *     (UpdateItem ADD attempts, condition `awaiting_upload`), BatchWrites chunk items as the file
 *     streams in, then ONE transaction: UpdateItem job `queued` (same condition) + chunk 0 asked
 *     for. A file that cannot be imported: UpdateItem job `failed` (same condition), chunk items deleted.
 * 18r. The runner: GetItem job + GetItem of its next chunk; per row pattern 3 of store/contacts.ts
 *     (deterministic ids, so a retried chunk re-finds its rows) or pattern 4 when its email exists
 *     (upsert); then ONE transaction (with the message's dedupe record) closes the chunk: job counts
 *     at `nextChunk = chunk` (a redelivered chunk cannot count twice), `nextChunk + 1`, chunk
 *     deleted, the next chunk asked for (queue-outbox item).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { ImportJob, ImportMapping } from '@relay/contracts/contact-imports'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { transactWithEvents } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { queueItem } from '../queues.js'
import { batchWrite, insertWithMessage, table } from './table.js'

const importKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'IMPORT', id), sk: 'IMPORT' })
const chunkKey = (tenantId: string, id: string, chunk: number) => ({
  pk: tenantKey(tenantId, 'IMPORT', id),
  sk: `CHUNK#${String(chunk).padStart(5, '0')}`,
})
/** Rows and finished jobs expire 30 days after the import started. */
const IMPORT_TTL_SECONDS = 30 * 24 * 3600

/** What a job was asked with, kept for its runners. */
export interface ImportInput {
  defaultRegion?: string | undefined
  /** Upload jobs: the header mapping, applied when the file is read. */
  mapping?: ImportMapping | undefined
  /** Upload jobs: the request's correlation id, carried on when the file lands. */
  correlationId?: string | undefined
}

/** What the job runner keeps beside the public job. */
export interface ImportState {
  job: ImportJob
  input: ImportInput
  chunks: number
  /** The chunk to run next; equal to `chunks` once done. */
  nextChunk: number
  /** Upload jobs: how many times the uploaded file was taken up for reading. */
  attempts: number
}

const importState = (item: Record<string, unknown>): ImportState => ({
  job: item.job as ImportJob,
  input: (item.input ?? {}) as ImportInput,
  chunks: Number(item.chunks ?? 0),
  nextChunk: Number(item.nextChunk ?? 0),
  attempts: Number(item.attempts ?? 0),
})

const importTtl = () => Math.floor(Date.now() / 1000) + IMPORT_TTL_SECONDS

/**
 * A job's rows as chunk items `first`, `first + 1`, ... (BatchWriteItem). Idempotent: a retry
 * writes the same rows under the same keys.
 */
export async function writeImportChunks(
  tenantId: string,
  jobId: string,
  first: number,
  chunks: readonly Record<string, string>[][],
): Promise<void> {
  const ttl = importTtl()
  await batchWrite(
    chunks.map((rows, n) => ({
      PutRequest: { Item: { ...chunkKey(tenantId, jobId, first + n), kind: 'import-chunk', rows, ttl } },
    })),
  )
}

/** Deletes chunk items `0 … count - 1` of a job whose file was given up half-read. */
export async function deleteImportChunks(tenantId: string, jobId: string, count: number): Promise<void> {
  await batchWrite(
    Array.from({ length: count }, (_, n) => ({ DeleteRequest: { Key: chunkKey(tenantId, jobId, n) } })),
  )
}

/**
 * Pattern 18: the job, once its rows are stored as chunk items ({@link writeImportChunks}), and its
 * first chunk asked for, in one transaction (with the request's idempotency claim).
 */
export async function insertImportJob(
  tenantId: string,
  job: ImportJob,
  input: { defaultRegion?: string | undefined },
  chunks: number,
  correlationId: string,
): Promise<void> {
  await insertWithMessage(
    { ...importKey(tenantId, job.id), kind: 'import', job, input, chunks, nextChunk: 0, ttl: importTtl() },
    queueItem('import-chunks', { tenantId, jobId: job.id, chunk: 0, correlationId }),
  )
}

/** A job and its runner state, or undefined. */
export async function getImportJob(tenantId: string, id: string): Promise<ImportState | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: importKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? importState(out.Item) : undefined
}

/** The rows of one chunk of a job (empty when missing). */
export async function getImportChunk(
  tenantId: string,
  id: string,
  chunk: number,
): Promise<Record<string, string>[]> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: chunkKey(tenantId, id, chunk), ConsistentRead: true }),
  )
  return (out.Item?.rows ?? []) as Record<string, string>[]
}

/**
 * Pattern 18r: the unit of work that closes chunk `chunk` of a job: the job's new counts,
 * `nextChunk` moved on only if it was still `chunk` (a redelivered chunk cannot count twice), the
 * chunk's rows deleted, and the next chunk asked for unless this was the last (`correlationId`
 * given); the worker commits it with the message's dedupe record.
 */
export function finishImportChunk(
  tenantId: string,
  job: ImportJob,
  chunk: number,
  next?: { correlationId: string },
): Work {
  return work(
    {
      Update: {
        TableName: table(),
        Key: importKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job, nextChunk = :next',
        ConditionExpression: 'nextChunk = :chunk',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':job': job, ':next': chunk + 1, ':chunk': chunk },
      },
    },
    { Delete: { TableName: table(), Key: chunkKey(tenantId, job.id, chunk) } },
    ...(next
      ? [
          queueItem('import-chunks', {
            tenantId,
            jobId: job.id,
            chunk: chunk + 1,
            correlationId: next.correlationId,
          }),
        ]
      : []),
  )
}

/**
 * Pattern 18u: an upload job waits for its file; the job item alone (its first chunk is asked for
 * once the file has been read).
 */
export async function insertUploadImportJob(
  tenantId: string,
  job: ImportJob,
  input: ImportInput,
): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...importKey(tenantId, job.id),
        kind: 'import',
        job,
        input,
        chunks: 0,
        nextChunk: 0,
        attempts: 0,
        ttl: importTtl(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

const AWAITING_UPLOAD = {
  ConditionExpression: '#job.#status = :awaiting',
  names: { '#job': 'job', '#status': 'status' },
  values: { ':awaiting': 'awaiting_upload' },
} as const

/**
 * Counts one more reading of an upload job's file and returns the job, or undefined when there is
 * no such job or it no longer awaits its file (already read, or failed): S3 delivers an object's
 * event at least once.
 */
export async function claimImportUpload(tenantId: string, id: string): Promise<ImportState | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: importKey(tenantId, id),
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: AWAITING_UPLOAD.ConditionExpression,
        ExpressionAttributeNames: AWAITING_UPLOAD.names,
        ExpressionAttributeValues: { ...AWAITING_UPLOAD.values, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    )
    return out.Attributes ? importState(out.Attributes) : undefined
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined
    throw err
  }
}

/**
 * The uploaded file has been read into `chunks` chunk items: the job, now `queued` with its total,
 * only while it still awaits its file, and its first chunk asked for, in one transaction. False
 * when another delivery of the same S3 event got there first (and nothing is asked for).
 */
export async function queueUploadedImport(
  tenantId: string,
  job: ImportJob,
  chunks: number,
  correlationId: string,
): Promise<boolean> {
  const name = table()
  try {
    await transactWithEvents(
      name,
      [
        {
          Update: {
            TableName: name,
            Key: importKey(tenantId, job.id),
            UpdateExpression: 'SET #job = :job, chunks = :chunks, nextChunk = :zero',
            ConditionExpression: AWAITING_UPLOAD.ConditionExpression,
            ExpressionAttributeNames: AWAITING_UPLOAD.names,
            ExpressionAttributeValues: {
              ...AWAITING_UPLOAD.values,
              ':job': job,
              ':chunks': chunks,
              ':zero': 0,
            },
          },
        },
        queueItem('import-chunks', { tenantId, jobId: job.id, chunk: 0, correlationId }),
      ],
      [],
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** An upload job whose file cannot be imported: saved `failed` (only while it awaits its file). */
export async function failUploadedImport(tenantId: string, job: ImportJob): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: importKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job',
        ConditionExpression: AWAITING_UPLOAD.ConditionExpression,
        ExpressionAttributeNames: AWAITING_UPLOAD.names,
        ExpressionAttributeValues: { ...AWAITING_UPLOAD.values, ':job': job },
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
  }
}

/** Saves a job's progress. */
export async function saveImportJob(tenantId: string, job: ImportJob): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: importKey(tenantId, job.id),
      UpdateExpression: 'SET #job = :job',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#job': 'job' },
      ExpressionAttributeValues: { ':job': job },
    }),
  )
}
