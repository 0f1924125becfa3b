import type { ExportJob } from '@relay/contracts/contact-exports'
import { newId, nowIso } from '@relay/core/ids'
import { Invalid } from '@relay/core/outcomes'
import { BUCKET_CHARS, drivingToken, queryTokens } from '../domain/search.js'
import { http } from '../kit.js'
import * as routes from '../routes/files.js'
import { insertExportJob } from '../store/export-jobs.js'

/**
 * POST /contacts/exports `{ format?, filters? }` → 201 + Location of an export job: the whole
 * filtered set written to one file in S3 by handlers/run-export.ts (no row cap, no 6 MB answer
 * limit), linked from GET /contacts/exports/{id} once completed. Same roles and filters as
 * GET /contacts/export, which stays for small sets.
 */
export const handler = http(routes.startExport, async ({ body, caller, correlationId }) => {
  const given = body.filters ?? {}
  if (given.q !== undefined && [...(drivingToken(queryTokens(given.q)) ?? '')].length < BUCKET_CHARS) {
    throw new Invalid([
      {
        field: 'filters.q',
        code: 'too_short',
        message: `Give at least one word of ${BUCKET_CHARS} or more letters or digits`,
      },
    ])
  }
  const filters = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  ) as ExportJob['filters']
  const now = nowIso()
  const job: ExportJob = {
    id: newId(),
    status: 'queued',
    format: body.format ?? 'csv',
    filters,
    rows: 0,
    bytes: 0,
    createdBy: caller.userId,
    createdAt: now,
    updatedAt: now,
  }
  await insertExportJob(caller.tenantId, job, correlationId)
  return { status: 201, body: job, location: `/contacts/exports/${job.id}` }
})
