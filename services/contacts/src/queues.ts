/**
 * The contacts service's work queues (manifest `queues`): what each message carries and how it is
 * sent. Internal plumbing, not business events: nothing here reaches the bus or its catalogue.
 *
 * | queue            | message                                   | consumer              |
 * | ---------------- | ----------------------------------------- | --------------------- |
 * | import-chunks    | `{ tenantId, jobId, chunk, correlationId }` | run-import            |
 * | export-runs      | `{ tenantId, jobId, correlationId }`        | run-export            |
 * | parked-activity  | `{ tenantId, event, parkedAt, attempt }`    | retry-parked-activity |
 *
 * A message is sent BEFORE the write that makes it meaningful (the job, the finished chunk) is
 * committed, with a short delay: the worker commits a message's unit of work only after its
 * handler returns, and a crash between a commit and a send would lose the message for good, while
 * a message that arrives before its write finds the state "not yet" and comes back later.
 */
import { sendToQueue } from '@relay/core/queue'
import * as z from 'zod/mini'
import { SERVICE } from './store/table.js'

/**
 * Delay of a message sent just before its write commits: long enough for that one transaction,
 * short enough not to slow a 200-chunk import down (200 × 2 s).
 */
export const SEND_AHEAD_DELAY_SECONDS = 2

const TenantId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[^#]+$/))

export const ImportChunkMessage = z.object({
  tenantId: TenantId,
  jobId: z.string().check(z.minLength(1), z.maxLength(64)),
  chunk: z.number().check(z.int(), z.nonnegative()),
  correlationId: z.string(),
})
export type ImportChunkMessage = z.infer<typeof ImportChunkMessage>

export const ExportRunMessage = z.object({
  tenantId: TenantId,
  jobId: z.string().check(z.minLength(1), z.maxLength(64)),
  correlationId: z.string(),
})
export type ExportRunMessage = z.infer<typeof ExportRunMessage>

/** Asks for chunk `chunk` of an import job. */
export function requestImportChunk(message: ImportChunkMessage): Promise<void> {
  return sendToQueue(SERVICE, 'import-chunks', [message], { delaySeconds: SEND_AHEAD_DELAY_SECONDS })
}

/** Asks for an export job to be written. */
export function requestExportRun(message: ExportRunMessage): Promise<void> {
  return sendToQueue(SERVICE, 'export-runs', [message], { delaySeconds: SEND_AHEAD_DELAY_SECONDS })
}

/**
 * Receives after which a message whose job is still not there is dropped: the write it was sent
 * ahead of failed (the request answered an error), so no job will ever appear.
 */
export const MAX_RECEIVES_WITHOUT_JOB = 3
