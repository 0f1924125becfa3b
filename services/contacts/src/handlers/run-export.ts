import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { Upload } from '@aws-sdk/lib-storage'
import { EXPORT_JOB_LIMITS, type ExportJob } from '@relay/contracts/contact-exports'
import type { JobFailure } from '@relay/contracts/contact-imports'
import { nowIso } from '@relay/core/ids'
import { bucketName, s3Client } from '@relay/core/s3'
import { BOM, csvHeader, csvLine, jsonLine } from '../domain/csv-export.js'
import { exportObjectKey, FILES_BUCKET } from '../domain/file-keys.js'
import { worker } from '../kit.js'
import { ExportRunMessage } from '../queues.js'
import { claimExportJob, completeExportJob, failExportJob } from '../store/export-jobs.js'
import { searchContacts } from '../store/search.js'

/** Contacts per search call (the most one DynamoDB page serves). */
const PAGE = 100
/** S3's smallest part; with 2 parts in flight the upload buffers about 10 MB, whatever the file's size. */
const PART_BYTES = 5 * 1024 * 1024
const PARTS_IN_FLIGHT = 2
/** Runs of one job before it is failed: the first and SQS's two redeliveries (the queue dead-letters after 5). */
export const MAX_ATTEMPTS = 3

/** The run's time is up: the file would not be complete before Lambda's timeout. */
class OutOfTime extends Error {}

/**
 * `export-runs` (SQS) `{ tenantId, jobId }` → the job's whole filtered set (the search of GET /contacts, pages of 100)
 * as CSV (UTF-8 with BOM, the columns of GET /contacts/export) or JSON lines, streamed into
 * `exports/<tenant>/<id>.<ext>` with a multipart upload (lib-storage over a stream: about 10 MB in
 * memory however large the file), then the job `completed` with its counts and
 * `ContactExport.Completed`, in one transaction with the message's dedupe record.
 *
 * A failed run aborts its multipart upload (no parts left behind) and is retried (the message comes
 * back after its visibility timeout); the third failure fails the job. The message is sent only once
 * its job is written (one transaction, src/queues.ts), so a message that finds no unfinished job
 * (a redelivery after the job finished, or a job expired) has nothing to do. A run that cannot
 * finish within 14 minutes fails the job at once (`too_long`: narrow the filters) rather than time
 * out and start over.
 */
export const handler = worker(
  'export-runs',
  ExportRunMessage,
  async ({ tenantId, jobId, correlationId }, { logger }) => {
    const deadline = Date.now() + EXPORT_JOB_LIMITS.runSeconds * 1000
    const state = await claimExportJob(tenantId, jobId, nowIso())
    if (!state) {
      // Finished already (a redelivery), or gone: the job is written before its message is sent.
      logger.info('Export run with nothing to do', { jobId })
      return undefined
    }
    const { job, attempts } = state
    const failed = (error: JobFailure): ExportJob => ({
      ...job,
      status: 'failed',
      error,
      updatedAt: nowIso(),
    })
    try {
      const { rows, bytes } = await writeFile(tenantId, job, deadline)
      const now = nowIso()
      logger.info('Export written', { jobId: job.id, rows, bytes, attempts })
      return completeExportJob(
        tenantId,
        { ...job, status: 'completed', rows, bytes, updatedAt: now, completedAt: now },
        correlationId,
      )
    } catch (err) {
      if (err instanceof OutOfTime) {
        await failExportJob(
          tenantId,
          failed({
            code: 'too_long',
            message: `The export did not finish within ${EXPORT_JOB_LIMITS.runSeconds / 60} minutes; narrow the filters and export in parts`,
          }),
        )
        return undefined
      }
      if (attempts < MAX_ATTEMPTS) {
        // Thrown: SQS delivers the message again after its visibility timeout.
        logger.warn('Export run failed; will be retried', { error: (err as Error).message, attempts })
        throw err
      }
      logger.error('Export failed', { error: err as Error, attempts })
      await failExportJob(
        tenantId,
        failed({ code: 'write_failed', message: `The file could not be written after ${attempts} attempts` }),
      )
      return undefined
    }
  },
  { onConditionFailed: 'ignore' },
)

/** Streams the job's contacts into its S3 object; resolves with the rows and bytes written. */
async function writeFile(
  tenantId: string,
  job: ExportJob,
  deadline: number,
): Promise<{ rows: number; bytes: number }> {
  const csv = job.format === 'csv'
  const body = new PassThrough()
  const upload = new Upload({
    client: s3Client(),
    params: {
      Bucket: bucketName('contacts', FILES_BUCKET),
      Key: exportObjectKey(tenantId, job.id, job.format),
      Body: body,
      ContentType: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    },
    partSize: PART_BYTES,
    queueSize: PARTS_IN_FLIGHT,
  })
  const uploading = upload.done()
  // Awaited below; until then a failure must not count as unhandled.
  uploading.catch(() => {})
  let rows = 0
  let bytes = 0
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text)
    // Backpressure: wait while lib-storage still holds its parts, or fail with the upload.
    if (!body.write(text)) await Promise.race([once(body, 'drain'), uploading])
  }
  try {
    if (csv) await write(`${BOM}${csvHeader()}`)
    let cursor: string | undefined
    do {
      if (Date.now() > deadline) throw new OutOfTime()
      const page = await searchContacts(tenantId, {
        ...job.filters,
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      })
      const text = page.items.map((c) => (csv ? csvLine(c) : jsonLine(c))).join('')
      rows += page.items.length
      if (text) await write(text)
      cursor = page.nextCursor
    } while (cursor)
    body.end()
    await uploading
    return { rows, bytes }
  } catch (err) {
    // Aborting drops the parts uploaded so far (AbortMultipartUpload); the next run starts afresh.
    await upload.abort().catch(() => {})
    body.destroy()
    throw err
  }
}
