/** CSV import jobs of the contacts service, version 1 (additive changes only within a version). */
import * as z from 'zod/mini'
import { Id, Timestamp } from './common.js'
import { IMPORT_COLUMNS, IMPORT_LIMITS } from './contact-jobs.js'
import { RegionCode } from './contacts.js'

// The constants live in a module without schemas, so a function that needs only them (every
// function that loads the store) does not bundle these schemas; re-exported here, their home.
export { IMPORT_COLUMNS, IMPORT_LIMITS } from './contact-jobs.js'

/** The file's header → an import column, or `null` to ignore that column. */
export const ImportMapping = z.record(
  z.string().check(z.minLength(1), z.maxLength(200)),
  z.nullable(z.enum(IMPORT_COLUMNS)),
)
export type ImportMapping = z.infer<typeof ImportMapping>

/**
 * POST /contacts/imports body, one of two forms:
 * - `{ csv }`: the CSV text inline (header row first), up to {@link IMPORT_LIMITS}.csvChars;
 * - `{ upload: true, fileName? }`: the answer carries a presigned PUT for the file (any size up to
 *   `uploadBytes`); the job starts when the file lands.
 * Both take the region of national phone numbers and a mapping of the file's headers (headers not
 * named there must be import columns themselves, any case).
 */
export const StartImport = z
  .strictObject({
    csv: z.optional(z.string().check(z.minLength(1), z.maxLength(IMPORT_LIMITS.csvChars))),
    upload: z.optional(z.literal(true)),
    /** The uploaded file's name as the user knows it (shown back on the job). */
    fileName: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(255))),
    defaultRegion: z.optional(RegionCode),
    mapping: z.optional(ImportMapping),
  })
  .check(
    z.refine((v) => (v?.csv === undefined) !== (v?.upload === undefined), {
      message: 'Give either csv (the file inline) or upload: true (a presigned URL to upload it to)',
      path: ['csv'],
    }),
    z.refine((v) => v?.fileName === undefined || v.upload === true, {
      message: 'fileName goes with upload: true',
      path: ['fileName'],
    }),
  )
export type StartImport = z.infer<typeof StartImport>

/** One row that was not imported (`row` counts data rows from 1). */
export const ImportRowError = z.object({
  row: z.number(),
  field: z.optional(z.string()),
  code: z.string(),
  message: z.string(),
  existingId: z.optional(z.string()),
})
export type ImportRowError = z.infer<typeof ImportRowError>

/** Why a whole job failed (the file could not be read, was too large, had too many rows...). */
export const JobFailure = z.object({
  code: z.string(),
  message: z.string(),
  /** The part of the request at fault, e.g. `mapping.<header>`. */
  field: z.optional(z.string()),
})
export type JobFailure = z.infer<typeof JobFailure>

/**
 * An import job as GET /contacts/imports/{id} returns it. `awaiting_upload` (upload jobs only) →
 * `queued` when the file has landed and been read → `running` → `completed`; `failed` with `error`
 * when the file cannot be imported at all.
 */
export const ImportJob = z.object({
  id: z.string(),
  status: z.enum(['awaiting_upload', 'queued', 'running', 'completed', 'failed']),
  total: z.number(),
  /** Rows handled so far (progress: processed / total). */
  processed: z.number(),
  created: z.number(),
  /** Rows whose email an existing contact has, merged into it (upsert by email). */
  updated: z.number(),
  /** Rows whose email an existing contact has and that changed nothing on it. */
  skipped: z.number(),
  failed: z.number(),
  errors: z.array(ImportRowError),
  /** Set when the whole job failed. */
  error: z.optional(JobFailure),
  /** The uploaded file's name, when the client gave one. */
  fileName: z.optional(z.string()),
  createdBy: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type ImportJob = z.infer<typeof ImportJob>

/** Where and how to send the file of an upload job: a presigned PUT, valid until `expiresAt`. */
export const ImportUpload = z.object({
  url: z.string(),
  method: z.literal('PUT'),
  /** Headers the PUT must carry as given (they are part of the signature). */
  headers: z.record(z.string(), z.string()),
  expiresAt: Timestamp,
})
export type ImportUpload = z.infer<typeof ImportUpload>

/** POST /contacts/imports answer: the job, and for `{ upload: true }` where to upload the file. */
export const StartedImport = z.extend(ImportJob, { upload: z.optional(ImportUpload) })
export type StartedImport = z.infer<typeof StartedImport>

export const ImportIdParams = z.strictObject({ id: Id })
