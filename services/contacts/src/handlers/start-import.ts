import type { ImportJob } from '@relay/contracts/contact-imports'
import { IMPORT_LIMITS, StartImport } from '@relay/contracts/contact-imports'
import { badRequest } from '@relay/core/errors'
import { newId, nowIso } from '@relay/core/ids'
import { IMPORT_ROLES } from '../access.js'
import { chunkRows, parseCsv } from '../domain/csv-import.js'
import { isKnownRegion } from '../domain/phone.js'
import { http } from '../http.js'
import { insertImportJob } from '../store.js'

/**
 * POST /contacts/imports `{ csv, defaultRegion?, mapping? }` → 201 + Location of the job. The whole
 * CSV is parsed now (a bad header, mapping or row count is a 400 naming `csv` or `mapping.<header>`;
 * a body over 10 MB, API Gateway's limit, a 413) and its rows stored in chunks of 500; the job imports
 * one chunk per invocation and reports progress at GET /contacts/imports/{id}.
 */
export const handler = http({
  roles: IMPORT_ROLES,
  body: StartImport,
  maxBodyBytes: IMPORT_LIMITS.bodyBytes,
  async handle({ body, caller, correlationId }) {
    if (body.defaultRegion !== undefined && !isKnownRegion(body.defaultRegion)) {
      throw badRequest([{ field: 'defaultRegion', code: 'invalid_region', message: 'Unknown region' }])
    }
    const parsed = parseCsv(body.csv, body.mapping)
    if ('problem' in parsed) throw badRequest([parsed.problem])
    const now = nowIso()
    const job: ImportJob = {
      id: newId(),
      status: 'queued',
      total: parsed.rows.length,
      processed: 0,
      created: 0,
      updated: 0,
      skipped: 0,
      failed: 0,
      errors: [],
      createdBy: caller.userId,
      createdAt: now,
      updatedAt: now,
    }
    const chunks = chunkRows(parsed.rows, IMPORT_LIMITS.chunkRows)
    await insertImportJob(
      caller.tenantId,
      job,
      body.defaultRegion ? { defaultRegion: body.defaultRegion } : {},
      chunks,
      correlationId,
    )
    return { status: 201, body: job, location: `/contacts/imports/${job.id}` }
  },
})
