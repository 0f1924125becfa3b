import type { ImportJob, ImportRowError } from '@relay/contracts/contact-imports'
import { IMPORT_LIMITS } from '@relay/contracts/contact-jobs'
import { type Contact, type ContactFields, CreateContact } from '@relay/contracts/contacts'
import { nowIso } from '@relay/core/ids'
import type { Logger } from '@relay/core/log'
import { Invalid, NotFound, StaleVersion } from '@relay/core/outcomes'
import { zodIssuesToFieldErrors } from '@relay/core/validation'
import { applyPatch, buildContact, contactProblems, diffContacts, inputProblems } from '../domain/contact.js'
import { importPatch, importRowId, rowToInput } from '../domain/csv-import.js'
import { ContactExists, EmailTaken } from '../domain/outcomes.js'
import { worker } from '../kit.js'
import { ImportChunkMessage } from '../queues.js'
import { getContact, insertContact, replaceContact } from '../store/contacts.js'
import { flagDuplicates } from '../store/duplicates.js'
import { finishImportChunk, getImportChunk, getImportJob } from '../store/import-jobs.js'
import { getContactFields } from '../store/settings.js'

/** Rows of one chunk imported at once (rows sharing an email run in order, one after the other). */
const PARALLEL = 8

type Outcome = { kind: 'created' | 'updated' | 'skipped' } | { kind: 'failed'; error: ImportRowError }

interface RowContext {
  tenantId: string
  job: ImportJob
  region: string | undefined
  defaultRegion: string | undefined
  settings: ContactFields
  correlationId: string
  logger: Logger
}

/** The previous chunk has not committed yet: SQS brings this back. */
class NotYet extends Error {}

/**
 * `import-chunks` (SQS) `{ tenantId, jobId, chunk }` → imports ONE chunk (≤ 500 rows) of the job,
 * then commits the job's counts, the chunk's removal and the next chunk asked for (a queue-outbox
 * item) with the message's dedupe record: no invocation does unbounded work, and a 100 000-row
 * import is 200 short ones.
 * Each row goes the way of POST /contacts (contract, E.164, custom fields, guards, tokens,
 * Contact.Created); a row whose email a contact has is merged into it (upsert by email,
 * Contact.Updated).
 *
 * Idempotent: a redelivered message is dropped by its id; a second message for a chunk already
 * done finds `nextChunk` past it and does nothing; the counts move only while `nextChunk` is still
 * this chunk. A crash mid-chunk leaves the message to come back after its visibility timeout:
 * row ids derive from (job, row), so the retry re-finds the contacts it created and counts them once.
 * A message is only ever sent once the write asking for it committed (the job, the previous
 * chunk), so a message without its job (expired after 30 days) is dropped at once; one ahead of
 * its chunk throws and comes back later (dead-lettered if that never changes).
 */
export const handler = worker(
  'import-chunks',
  ImportChunkMessage,
  async ({ tenantId, jobId, chunk, correlationId }, { logger }) => {
    const state = await getImportJob(tenantId, jobId)
    if (!state || state.job.status === 'awaiting_upload') {
      logger.warn('Import chunk for a job that is not queued; dropped', { jobId, chunk })
      return undefined
    }
    if (state.job.status === 'completed' || state.job.status === 'failed' || state.nextChunk > chunk) {
      logger.info('Import chunk done already', { jobId, chunk, nextChunk: state.nextChunk })
      return undefined
    }
    if (state.nextChunk < chunk) throw new NotYet(`Chunk ${state.nextChunk} of job ${jobId} not finished yet`)
    const { job, input } = state
    const rows = chunk < state.chunks ? await getImportChunk(tenantId, job.id, chunk) : []
    const settings = await getContactFields(tenantId)
    const ctx: RowContext = {
      tenantId,
      job,
      region: input.defaultRegion ?? settings.defaultRegion,
      defaultRegion: input.defaultRegion,
      settings,
      correlationId,
      logger,
    }
    // Chunks run in order and `processed` moves with each one, so it numbers this chunk's rows
    // exactly even when a chunk was cut short by its byte cap (and the same on a retry).
    const first = job.processed + 1
    const outcomes = await importRows(rows, first, ctx)
    const counts = { created: 0, updated: 0, skipped: 0, failed: 0 }
    const errors = [...job.errors]
    for (const o of outcomes) {
      counts[o.kind]++
      if (o.kind === 'failed' && errors.length < IMPORT_LIMITS.errors) errors.push(o.error)
    }
    const last = chunk + 1 >= state.chunks
    const next: ImportJob = {
      ...job,
      status: last ? 'completed' : 'running',
      processed: job.processed + rows.length,
      created: job.created + counts.created,
      updated: job.updated + counts.updated,
      skipped: job.skipped + counts.skipped,
      failed: job.failed + counts.failed,
      errors,
      updatedAt: nowIso(),
    }
    logger.info('Import chunk done', { jobId: job.id, chunk, of: state.chunks, ...counts })
    return finishImportChunk(tenantId, next, chunk, last ? undefined : { correlationId })
  },
  { onConditionFailed: 'ignore' },
)

/** Imports rows starting at row number `first`; rows sharing an email keep their order. */
async function importRows(
  rows: readonly Record<string, string>[],
  first: number,
  ctx: RowContext,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(rows.length)
  const lanes = new Map<string, number[]>()
  rows.forEach((row, i) => {
    const email = row.email?.split(';')[0]?.trim().toLowerCase()
    const lane = email || `#${i}`
    lanes.set(lane, [...(lanes.get(lane) ?? []), i])
  })
  const queue = [...lanes.values()]
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const i of lane) outcomes[i] = await importRow(rows[i] ?? {}, first + i, ctx)
      }
    }),
  )
  return outcomes
}

const failed = (row: number, e: { field?: string | undefined; code: string; message: string }): Outcome => ({
  kind: 'failed',
  error: { row, code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
})

async function importRow(raw: Record<string, string>, n: number, ctx: RowContext): Promise<Outcome> {
  const body = CreateContact.safeParse(rowToInput(raw, ctx.defaultRegion))
  if (!body.success) {
    const first = zodIssuesToFieldErrors(body.error.issues, '', 'row')[0]
    return failed(n, first ?? { code: 'invalid', message: 'Invalid row' })
  }
  const problems = inputProblems(body.data, { region: ctx.region, fieldDefs: ctx.settings.fields })
  if (problems[0]) return failed(n, problems[0])
  const contact = buildContact(body.data, {
    id: importRowId(ctx.job.id, n),
    ownerId: ctx.job.createdBy,
    now: nowIso(),
    region: ctx.region,
  })
  try {
    await insertContact(ctx.tenantId, contact, ctx.correlationId, ctx.job.createdBy)
    await flagDuplicates(ctx.tenantId, contact, ctx.logger)
    return { kind: 'created' }
  } catch (err) {
    // This row's contact exists: an earlier attempt of this chunk made it.
    if (err instanceof ContactExists) return { kind: 'created' }
    if (err instanceof EmailTaken && err.existingId) return upsertRow(err.existingId, body.data, n, ctx)
    const refused = refusal(err)
    if (refused) return failed(n, refused)
    throw err
  }
}

/** What a row's refused write says, in the row's error terms; undefined for a fault (retried). */
function refusal(err: unknown): { code: string; message: string; field?: string | undefined } | undefined {
  if (err instanceof Invalid) {
    return { code: 'invalid', message: err.errors[0]?.message ?? err.message, field: err.errors[0]?.field }
  }
  if (err instanceof EmailTaken) return { code: 'duplicate_email', message: err.message }
  return undefined
}

/** Upsert by email: the row merged into the contact that has its email (a lost race is retried). */
async function upsertRow(id: string, row: CreateContact, n: number, ctx: RowContext): Promise<Outcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const current: Contact | undefined = await getContact(ctx.tenantId, id)
    if (!current)
      return failed(n, { code: 'conflict', message: 'The contact with this email just went away' })
    const patch = importPatch(current, row, ctx.region)
    if (!patch) return { kind: 'skipped' }
    const next = applyPatch(current, patch, nowIso(), ctx.region)
    const problems = contactProblems(next)
    if (problems[0]) return failed(n, problems[0])
    const changes = diffContacts(current, next)
    if (Object.keys(changes).length === 0) return { kind: 'skipped' }
    try {
      await replaceContact(ctx.tenantId, current, next, changes, ctx.correlationId, {
        actorId: ctx.job.createdBy,
      })
      await flagDuplicates(ctx.tenantId, next, ctx.logger)
      return { kind: 'updated' }
    } catch (err) {
      // Changed or gone meanwhile: read it again (a contact that went away is reported then).
      if (err instanceof StaleVersion || err instanceof NotFound) continue
      const refused = refusal(err)
      if (refused) return failed(n, refused)
      throw err
    }
  }
  return failed(n, { code: 'conflict', message: 'The contact kept changing; import the row again' })
}
