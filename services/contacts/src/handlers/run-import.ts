import {
  ContactImportRequestedV1,
  IMPORT_LIMITS,
  type ImportRowError,
} from '@relay/contracts/contact-imports'
import { CreateContact } from '@relay/contracts/contacts'
import { isConditionalCheckFailed } from '@relay/core/ddb'
import { HttpError } from '@relay/core/errors'
import { nowIso } from '@relay/core/ids'
import { zodIssuesToFieldErrors } from '@relay/core/validation'
import { buildContact, inputProblems } from '../domain/contact.js'
import { importRowId, parseCsv, rowToInput } from '../domain/csv-import.js'
import { flagDuplicates } from '../duplicates.js'
import { getContactFields, getImportJob, insertContact, saveImportJob } from '../store.js'
import { subscriber } from '../subscriber.js'

/**
 * ContactImport.Requested → imports the job's rows, one contact transaction each (so each row gets
 * the same guards, tokens and Contact.Created as POST /contacts). Row ids are derived from the job,
 * so a redelivered or retried event finds the rows it already created instead of doubling them.
 */
export const handler = subscriber({
  data: ContactImportRequestedV1,
  async handle(event, { logger }) {
    const tenantId = event.detail.tenantId
    const found = await getImportJob(tenantId, event.detail.data.id)
    if (found?.job.status !== 'queued') return undefined
    const { job, input } = found
    const parsed = parseCsv(input.csv)
    if ('problem' in parsed) {
      await saveImportJob(tenantId, { ...job, status: 'failed', updatedAt: nowIso() })
      return undefined
    }
    const settings = await getContactFields(tenantId)
    const region = input.defaultRegion ?? settings.defaultRegion
    let created = 0
    let skipped = 0
    let failed = 0
    const errors: ImportRowError[] = []
    const note = (e: ImportRowError) => {
      if (errors.length < IMPORT_LIMITS.errors) errors.push(e)
    }
    for (const [i, row] of parsed.rows.entries()) {
      const n = i + 1
      const body = CreateContact.safeParse(rowToInput(row, input.defaultRegion))
      if (!body.success) {
        failed++
        const first = zodIssuesToFieldErrors(body.error.issues, '', 'row')[0]
        note({
          row: n,
          code: first?.code ?? 'invalid',
          message: first?.message ?? 'Invalid row',
          ...(first ? { field: first.field } : {}),
        })
        continue
      }
      const problems = inputProblems(body.data, { region, fieldDefs: settings.fields })
      if (problems[0]) {
        failed++
        note({ row: n, field: problems[0].field, code: problems[0].code, message: problems[0].message })
        continue
      }
      const contact = buildContact(body.data, {
        id: importRowId(job.id, n),
        ownerId: job.createdBy,
        now: nowIso(),
        region,
      })
      try {
        await insertContact(tenantId, contact, event.detail.correlationId, job.createdBy)
        created++
        await flagDuplicates(tenantId, contact, logger)
      } catch (err) {
        if (isConditionalCheckFailed(err)) {
          created++ // this row's contact exists: an earlier attempt of this job made it
        } else if (err instanceof HttpError && err.status === 409) {
          skipped++
          const existingId = err.extra?.existingId as string | undefined
          note({
            row: n,
            code: 'duplicate_email',
            message: err.detail ?? 'Email exists',
            ...(existingId ? { existingId } : {}),
          })
        } else if (err instanceof HttpError && err.status < 500) {
          failed++
          note({
            row: n,
            code: 'invalid',
            message: err.errors?.[0]?.message ?? err.detail ?? 'Invalid row',
            ...(err.errors?.[0] ? { field: err.errors[0].field } : {}),
          })
        } else {
          throw err
        }
      }
    }
    await saveImportJob(tenantId, {
      ...job,
      status: 'completed',
      created,
      skipped,
      failed,
      errors,
      updatedAt: nowIso(),
    })
    logger.info('Import done', { jobId: job.id, created, skipped, failed })
    return undefined
  },
})
