import type { ImportJob } from '@relay/contracts/contact-imports'
import { StartImport } from '@relay/contracts/contact-imports'
import { badRequest } from '@relay/core/errors'
import { newId, nowIso } from '@relay/core/ids'
import { IMPORT_ROLES } from '../access.js'
import { parseCsv } from '../domain/csv-import.js'
import { isKnownRegion } from '../domain/phone.js'
import { http } from '../http.js'
import { insertImportJob } from '../store.js'

/**
 * POST /contacts/imports `{ csv, defaultRegion? }` → 201 + Location of the job. The header and the
 * row count are checked now (400 naming `csv`); the rows are imported by the job, which reports
 * per-row outcomes at GET /contacts/imports/{id}.
 */
export const handler = http({
  roles: IMPORT_ROLES,
  body: StartImport,
  maxBodyBytes: 131_072,
  async handle({ body, caller, correlationId }) {
    const parsed = parseCsv(body.csv)
    if ('problem' in parsed) throw badRequest([parsed.problem])
    if (body.defaultRegion !== undefined && !isKnownRegion(body.defaultRegion)) {
      throw badRequest([{ field: 'defaultRegion', code: 'invalid_region', message: 'Unknown region' }])
    }
    const now = nowIso()
    const job: ImportJob = {
      id: newId(),
      status: 'queued',
      total: parsed.rows.length,
      created: 0,
      skipped: 0,
      failed: 0,
      errors: [],
      createdBy: caller.userId,
      createdAt: now,
      updatedAt: now,
    }
    await insertImportJob(caller.tenantId, job, body, correlationId)
    return { status: 201, body: job, location: `/contacts/imports/${job.id}` }
  },
})
