/**
 * Constants of the contacts service's import and export jobs, in a module without zod schemas:
 * the store (loaded by every contacts function) needs them, and importing them from the schema
 * modules would bundle those schemas into every function. `contact-imports.ts` and
 * `contact-exports.ts` re-export them.
 */

/**
 * Limits of one import. An inline CSV travels in the JSON body, and Lambda takes at most 6 MB of
 * request payload (the whole event: headers, and the body escaped once more inside it): bodies up to
 * 5 000 000 bytes (a larger body is a 413) and CSV up to 4.9 million characters, enough for ~50 000
 * typical rows. Larger files go through an upload (`{ upload: true }`): a presigned PUT straight to
 * S3, valid `uploadUrlSeconds`, of at most `uploadBytes` (50 MB, checked before the file is read).
 * Either way at most 100 000 data rows; the job keeps the first 1000 per-row errors (`failed` counts
 * them all); rows are processed `chunkRows` per invocation.
 */
export const IMPORT_LIMITS = {
  csvChars: 4_900_000,
  bodyBytes: 5_000_000,
  uploadBytes: 50_000_000,
  uploadUrlSeconds: 900,
  rows: 100_000,
  errors: 1000,
  chunkRows: 500,
} as const

/** Columns a CSV may have (header row, any order, case-insensitive). Lists are `;`-separated. */
export const IMPORT_COLUMNS = [
  'firstName',
  'lastName',
  'displayName',
  'email',
  'phone',
  'companyName',
  'jobTitle',
  'tags',
  'lifecycleStage',
  'source',
  'channel',
] as const

/**
 * Limits of export jobs: the file is kept `keepDays` (the bucket's expiry; the job record expires
 * with it), each download link is valid `downloadUrlSeconds`, and one run reads for at most
 * `runSeconds` before it gives up (Lambda's 15-minute ceiling, less a margin to clean up).
 */
export const EXPORT_JOB_LIMITS = {
  keepDays: 7,
  downloadUrlSeconds: 3600,
  runSeconds: 840,
} as const

/** `detail-type` of the event that says an export's file is ready (runs go through a work queue). */
export const EXPORT_JOB_EVENT = {
  completed: 'ContactExport.Completed',
} as const

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const
