import { PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { StartedImport } from '@relay/contracts/contact-imports'
import { IMPORT_LIMITS } from '@relay/contracts/contact-imports'
import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { bucketName, s3Client } from '@relay/core/s3'
import { chunkRows, newImportJob, parseCsv } from '../domain/csv-import.js'
import { FILES_BUCKET, importObjectKey } from '../domain/file-keys.js'
import { isKnownRegion } from '../domain/phone.js'
import { http } from '../kit.js'
import * as routes from '../routes/files.js'
import { insertImportJob, insertUploadImportJob, writeImportChunks } from '../store/import-jobs.js'

/** The content type an upload must be sent with: it is signed into the URL. */
const UPLOAD_CONTENT_TYPE = 'text/csv'

/**
 * POST /contacts/imports → 201 + Location of the job, in one of two ways:
 * - `{ csv, defaultRegion?, mapping? }`: the CSV inline, parsed now (a bad header, mapping or row
 *   count is a 400 naming `csv` or `mapping.<header>`; a body over 5 MB, Lambda's request payload
 *   limit less the event around it, a 413) and its rows stored in chunks of 500;
 * - `{ upload: true, fileName?, defaultRegion?, mapping? }`: the job `awaiting_upload` and a presigned
 *   PUT (15 minutes) to `imports/<tenant>/<jobId>.csv`; the file goes straight to S3, any size up to
 *   50 MB, and its arrival starts the job (handlers/on-import-uploaded.ts).
 * Either way the job imports one chunk per message of the `import-chunks` queue and reports progress
 * at GET /contacts/imports/{id}.
 */
export const handler = http(routes.startImport, async ({ body, caller, correlationId }) => {
  if (body.defaultRegion !== undefined && !isKnownRegion(body.defaultRegion)) {
    throw new Invalid([{ field: 'defaultRegion', code: 'invalid_region', message: 'Unknown region' }])
  }
  const job = newImportJob({
    id: newId(),
    upload: body.upload === true,
    createdBy: caller.userId,
    now: nowIso(),
    ...(body.fileName ? { fileName: body.fileName } : {}),
  })
  const location = `/contacts/imports/${job.id}`
  const region = body.defaultRegion ? { defaultRegion: body.defaultRegion } : {}

  if (body.upload) {
    await insertUploadImportJob(caller.tenantId, job, {
      ...region,
      ...(body.mapping ? { mapping: body.mapping } : {}),
      correlationId,
    })
    const started: StartedImport = {
      ...job,
      upload: await presignUpload(importObjectKey(caller.tenantId, job.id)),
    }
    return { status: 201, body: started, location }
  }

  // The schema admits exactly one of csv and upload.
  const parsed = parseCsv(body.csv ?? '', body.mapping)
  if ('problem' in parsed) throw new Invalid([parsed.problem])
  job.total = parsed.rows.length
  const chunks = chunkRows(parsed.rows, IMPORT_LIMITS.chunkRows)
  // Rows first: the job's transaction asks for chunk 0, whose runner reads them.
  await writeImportChunks(caller.tenantId, job.id, 0, chunks)
  await insertImportJob(caller.tenantId, job, region, chunks.length, correlationId)
  return { status: 201, body: job, location }
})

/** The presigned PUT of an upload job's file (`imports/<tenant>/<jobId>.csv`). */
async function presignUpload(key: string): Promise<NonNullable<StartedImport['upload']>> {
  const expiresAt = new Date(Date.now() + IMPORT_LIMITS.uploadUrlSeconds * 1000).toISOString()
  const url = await getSignedUrl(
    s3Client(),
    new PutObjectCommand({
      Bucket: bucketName('contacts', FILES_BUCKET),
      Key: key,
      ContentType: UPLOAD_CONTENT_TYPE,
    }),
    // content-type is signed: a PUT with any other type is refused (403 SignatureDoesNotMatch).
    { expiresIn: IMPORT_LIMITS.uploadUrlSeconds, signableHeaders: new Set(['content-type']) },
  )
  return { url, method: 'PUT', headers: { 'content-type': UPLOAD_CONTENT_TYPE }, expiresAt }
}
