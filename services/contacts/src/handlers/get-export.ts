import { GetObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { EXPORT_JOB_LIMITS, type ExportJob } from '@relay/contracts/contact-exports'
import { contentDisposition } from '@relay/core/http'
import { NotFound } from '@relay/core/outcomes'
import { bucketName, s3Client } from '@relay/core/s3'
import { exportObjectKey, FILES_BUCKET } from '../domain/file-keys.js'
import { httpNonPost } from '../kit.js'
import * as routes from '../routes/files.js'
import { getExportJob } from '../store/export-jobs.js'

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson; charset=utf-8',
} as const

/**
 * GET /contacts/exports/{id} → the job; once completed, with `download`: a presigned GET of its file
 * (1 hour, minted on every read, so a link is never older than the request that fetched it) that
 * answers as an attachment named `contacts-<date>.<csv|jsonl>`. Past the file's keeping time the job
 * reads `expired`, without a link: the bucket's lifecycle rule removes the file, and DynamoDB's TTL
 * may leave the job record a while longer.
 */
export const handler = httpNonPost(routes.getExport, async ({ params, caller }) => {
  const found = await getExportJob(caller.tenantId, params.id)
  if (!found) throw new NotFound('No export with this id.')
  const job = found.job
  // A fresh link in every answer: caches must not keep it past its expiry.
  const headers = { 'cache-control': 'no-store' }
  if (job.status !== 'completed') return { status: 200, body: job, headers }
  if (Date.now() >= Date.parse(job.createdAt) + EXPORT_JOB_LIMITS.keepDays * 24 * 3600 * 1000) {
    return { status: 200, body: { ...job, status: 'expired' } satisfies ExportJob, headers }
  }
  const expiresAt = new Date(Date.now() + EXPORT_JOB_LIMITS.downloadUrlSeconds * 1000).toISOString()
  const url = await getSignedUrl(
    s3Client(),
    new GetObjectCommand({
      Bucket: bucketName('contacts', FILES_BUCKET),
      Key: exportObjectKey(caller.tenantId, job.id, job.format),
      ResponseContentDisposition: contentDisposition(`contacts-${job.createdAt.slice(0, 10)}.${job.format}`),
      ResponseContentType: CONTENT_TYPES[job.format],
    }),
    { expiresIn: EXPORT_JOB_LIMITS.downloadUrlSeconds },
  )
  const body: ExportJob = { ...job, download: { url, expiresAt } }
  return { status: 200, body, headers }
})
