import type { Readable } from 'node:stream'
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3'
import { IMPORT_LIMITS, type ImportJob, type JobFailure } from '@relay/contracts/contact-imports'
import { nowIso } from '@relay/core/ids'
import { createLogger } from '@relay/core/log'
import { s3Client } from '@relay/core/s3'
import type { S3Event, S3EventRecord } from 'aws-lambda'
import { importCsvStream } from '../domain/csv-import.js'
import { decodeEventKey, parseImportObjectKey } from '../domain/file-keys.js'
import {
  claimImportUpload,
  deleteImportChunks,
  failUploadedImport,
  queueUploadedImport,
  writeImportChunks,
} from '../store/import-jobs.js'

const logger = createLogger('contacts')

/**
 * Readings of one file before its job is failed: the first and Lambda's two retries of an
 * asynchronous invocation, so a file S3 cannot serve fails its job instead of looping forever.
 */
export const MAX_ATTEMPTS = 3

/**
 * S3 ObjectCreated under `imports/` → the uploaded CSV of an `awaiting_upload` job becomes the same
 * chunk items as an inline import (same parser, mapping and row rules: domain/csv-import.ts), read
 * as a stream and written chunk by chunk, so memory holds one chunk, never the file. Then the job
 * turns `queued` and chunk 0 is asked for on `import-chunks`, in one transaction; run-import does the rest.
 *
 * Tenant and job come from the key (`imports/<tenant>/<jobId>.csv`); a key that names no job awaiting
 * its file (another key, a second delivery of the event, a job already read) is logged and ignored.
 * A file over 50 MB (by the event's size, before reading), an empty one, a bad header or mapping, or
 * over 100 000 rows fails the job with a clear `error`. The file is deleted once read: the rows live
 * in the chunk items from then on, and an upload of personal data should not outlive its use.
 */
export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records ?? []) await importUpload(record)
}

async function importUpload(record: S3EventRecord): Promise<void> {
  const bucket = record.s3.bucket.name
  const key = decodeEventKey(record.s3.object.key)
  const ref = key === undefined ? undefined : parseImportObjectKey(key)
  if (key === undefined || !ref) {
    logger.warn('Object ignored: not an import upload key', { bucket, key: record.s3.object.key })
    return
  }
  const state = await claimImportUpload(ref.tenantId, ref.jobId)
  if (!state) {
    logger.warn('Object ignored: no import job awaits it', { bucket, key, ...ref })
    return
  }
  const { job, input, attempts } = state
  const correlationId = input.correlationId ?? job.id
  // Per-record keys, not persistent ones: a warm container serves other jobs next.
  const keys = { correlationId, jobId: job.id, attempts }
  const fail = async (error: JobFailure) => {
    logger.warn('Import upload failed', { ...keys, ...error })
    await failUploadedImport(ref.tenantId, { ...job, status: 'failed', error, updatedAt: nowIso() })
    await removeObject(bucket, key)
  }

  const size = record.s3.object.size
  if (size > IMPORT_LIMITS.uploadBytes) {
    return fail({ code: 'too_large', message: fileTooLarge(size) })
  }
  let written = 0
  try {
    const object = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    // The event's size is the object's; a replaced object is checked again before reading.
    if ((object.ContentLength ?? 0) > IMPORT_LIMITS.uploadBytes) {
      ;(object.Body as Readable | undefined)?.destroy()
      return fail({ code: 'too_large', message: fileTooLarge(object.ContentLength ?? 0) })
    }
    const parsed = await importCsvStream(object.Body as Readable, {
      ...(input.mapping ? { mapping: input.mapping } : {}),
      onChunk: async (rows, index) => {
        await writeImportChunks(ref.tenantId, job.id, index, [rows])
        written = index + 1
      },
    })
    if ('problem' in parsed) {
      await deleteImportChunks(ref.tenantId, job.id, written)
      return fail(parsed.problem)
    }
    const queued: ImportJob = { ...job, status: 'queued', total: parsed.rows, updatedAt: nowIso() }
    if (!(await queueUploadedImport(ref.tenantId, queued, parsed.chunks, correlationId))) {
      logger.info('Import upload already queued by another delivery', keys)
      return
    }
    logger.info('Import upload read', { ...keys, rows: parsed.rows, chunks: parsed.chunks, bytes: size })
    await removeObject(bucket, key)
  } catch (err) {
    if (attempts < MAX_ATTEMPTS) {
      // Lambda retries the invocation; the chunk items written so far are overwritten then.
      logger.warn('Import upload could not be read; will be retried', {
        ...keys,
        error: (err as Error).message,
      })
      throw err
    }
    logger.error('Import upload could not be read', { ...keys, error: err as Error })
    await deleteImportChunks(ref.tenantId, job.id, written)
    await fail({
      code: 'unreadable',
      message: `The uploaded file could not be read after ${attempts} attempts; upload it again with a new import.`,
    })
  }
}

const fileTooLarge = (size: number) =>
  `The file is ${Math.ceil(size / 1_000_000)} MB; at most ${IMPORT_LIMITS.uploadBytes / 1_000_000} MB can be imported (split it into several imports)`

/** Best effort: the bucket's lifecycle rule removes what this misses. */
async function removeObject(bucket: string, key: string): Promise<void> {
  try {
    await s3Client().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
  } catch (err) {
    logger.warn('Import upload not deleted; the bucket lifecycle will expire it', {
      error: (err as Error).message,
    })
  }
}
