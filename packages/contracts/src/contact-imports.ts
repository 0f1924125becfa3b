/** CSV import jobs of the contacts service, version 1 (additive changes only within a version). */
import * as z from 'zod/mini'
import { Id, Timestamp } from './common.js'
import { RegionCode } from './contacts.js'

export const IMPORT_LIMITS = { csvChars: 60_000, rows: 1000, errors: 100 } as const

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
export const IMPORT_EVENT = { requested: 'ContactImport.Requested' } as const

/** POST /contacts/imports body: the CSV text (header row first) and the region of national phone numbers. */
export const StartImport = z.strictObject({
  csv: z.string().check(z.minLength(1), z.maxLength(IMPORT_LIMITS.csvChars)),
  defaultRegion: z.optional(RegionCode),
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
  status: z.enum(['queued', 'completed', 'failed']),
  total: z.number(),
  created: z.number(),
  /** Rows whose email another contact already has (`errors[]` names the existing contact). */
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
