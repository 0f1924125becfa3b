/** Contact export jobs of the contacts service, version 1 (additive changes only within a version). */
import * as z from 'zod/mini'
import { Id, Timestamp } from './common.js'
import { JobFailure } from './contact-imports.js'
import { EXPORT_FORMATS } from './contact-jobs.js'
import { ListContactsQuery } from './contacts.js'

export { EXPORT_FORMATS, EXPORT_JOB_EVENT, EXPORT_JOB_LIMITS } from './contact-jobs.js'

/** Which contacts to export: the filters of GET /contacts. */
export const ExportFilters = z.strictObject({
  q: ListContactsQuery.shape.q,
  tag: ListContactsQuery.shape.tag,
  owner: ListContactsQuery.shape.owner,
  lifecycleStage: ListContactsQuery.shape.lifecycleStage,
  companyId: ListContactsQuery.shape.companyId,
  updatedSince: ListContactsQuery.shape.updatedSince,
})
export type ExportFilters = z.infer<typeof ExportFilters>

/** POST /contacts/exports body: `format` (`csv`, the default, or `jsonl`) and the filters. */
export const StartExport = z.strictObject({
  format: z.optional(z.enum(EXPORT_FORMATS)),
  filters: z.optional(ExportFilters),
})
export type StartExport = z.infer<typeof StartExport>

/** A link to the finished file: a presigned GET, fresh on every read of the job. */
export const ExportDownload = z.object({ url: z.string(), expiresAt: Timestamp })

/**
 * An export job as GET /contacts/exports/{id} returns it: `queued` → `running` → `completed` (with
 * `download`) or `failed` (with `error`); a completed job's file is kept `keepDays`, then the job
 * reads `expired` (no `download`). `rows` and `bytes` are the file's, once completed.
 */
export const ExportJob = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'expired']),
  format: z.enum(EXPORT_FORMATS),
  filters: z.object({
    q: z.optional(z.string()),
    tag: z.optional(z.string()),
    owner: z.optional(z.string()),
    lifecycleStage: z.optional(z.string()),
    companyId: z.optional(z.string()),
    updatedSince: z.optional(z.string()),
  }),
  rows: z.number(),
  bytes: z.number(),
  error: z.optional(JobFailure),
  createdBy: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  completedAt: z.optional(Timestamp),
  download: z.optional(ExportDownload),
})
export type ExportJob = z.infer<typeof ExportJob>

export const ExportIdParams = z.strictObject({ id: Id })

/** `ContactExport.Completed` v1 data: the job's file is ready (GET /contacts/exports/{id} links to it). */
export const ContactExportCompletedV1 = z.object({
  id: z.string(),
  format: z.enum(EXPORT_FORMATS),
  rows: z.number(),
  bytes: z.number(),
  createdBy: z.string(),
})
