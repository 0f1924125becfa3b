/** CSV import jobs of the contacts service, version 1 (additive changes only within a version). */
import * as z from 'zod/mini'
import { Id, Timestamp } from './common.js'
import { RegionCode } from './contacts.js'

/**
 * Limits of one import. The CSV travels in the JSON body, which API Gateway caps at 10 MB: at most
 * 9.5 million characters of CSV (a larger body is a 413), 100 000 data rows; the job keeps the first
 * 1000 per-row errors (`failed` counts them all); rows are processed `chunkRows` per invocation.
 */
export const IMPORT_LIMITS = {
  csvChars: 9_500_000,
  bodyBytes: 10_000_000,
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

/** `detail-type` of the event that runs an import (published and consumed by contacts). */
export const IMPORT_EVENT = {
  requested: 'ContactImport.Requested',
  chunkRequested: 'ContactImport.ChunkRequested',
} as const

/** POST /contacts/imports body: the CSV text (header row first) and the region of national phone numbers. */
export const StartImport = z.strictObject({
  csv: z.string().check(z.minLength(1), z.maxLength(IMPORT_LIMITS.csvChars)),
  defaultRegion: z.optional(RegionCode),
  /**
   * The file's header → an import column, or `null` to ignore that column. Headers not named here
   * must be import columns themselves (any case).
   */
  mapping: z.optional(
    z.record(z.string().check(z.minLength(1), z.maxLength(200)), z.nullable(z.enum(IMPORT_COLUMNS))),
  ),
})
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

/** An import job as GET /contacts/imports/{id} returns it. */
export const ImportJob = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed']),
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
  createdBy: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type ImportJob = z.infer<typeof ImportJob>

export const ImportIdParams = z.strictObject({ id: Id })

/** `ContactImport.Requested` v1 data. */
export const ContactImportRequestedV1 = z.object({ id: z.string() })

/** `ContactImport.ChunkRequested` v1 data: the job's next chunk of rows to import (from 0). */
export const ContactImportChunkRequestedV1 = z.object({ id: z.string(), chunk: z.number() })
