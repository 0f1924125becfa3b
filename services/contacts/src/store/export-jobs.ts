/**
 * Export jobs: `T#<t>#EXPORT#<id>` / `EXPORT` (the job, its filters, `attempts`; ttl 7 days); the
 * file itself is in S3, `exports/<tenant>/<id>.<ext>`.
 *
 * Access patterns:
 * 19. Start: ONE transaction: Put the job + its run asked for (a queue-outbox item for
 *     `export-runs`). The runner claims it (UpdateItem
 *     ADD attempts, status `queued`|`running`), pages store/search.ts into S3, then ONE transaction
 *     = job `completed` (condition `running`) + ContactExport.Completed + the message's dedupe record.
 *     GET: GetItem of the job (consistent).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { ExportJob } from '@relay/contracts/contact-exports'
import { EXPORT_JOB_LIMITS } from '@relay/contracts/contact-jobs'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { outboxPut } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { exportCompleted } from '../domain/events.js'
import { queueItem } from '../queues.js'
import { envelopes, insertWithMessage, table } from './table.js'

const exportKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'EXPORT', id), sk: 'EXPORT' })

/** The job outlives its file by nothing: both go after the bucket's expiry. */
const EXPORT_TTL_SECONDS = EXPORT_JOB_LIMITS.keepDays * 24 * 3600

/** An export job and what its runner keeps beside it. */
export interface ExportState {
  job: ExportJob
  /** Runs started (the first and Lambda's retries). */
  attempts: number
}

const exportState = (item: Record<string, unknown>): ExportState => ({
  job: item.job as ExportJob,
  attempts: Number(item.attempts ?? 0),
})

/** Pattern 19: the job and its run asked for, in one transaction (with the request's idempotency claim). */
export async function insertExportJob(
  tenantId: string,
  job: ExportJob,
  correlationId: string,
): Promise<void> {
  await insertWithMessage(
    {
      ...exportKey(tenantId, job.id),
      kind: 'export',
      job,
      attempts: 0,
      ttl: Math.floor(Date.parse(job.createdAt) / 1000) + EXPORT_TTL_SECONDS,
    },
    queueItem('export-runs', { tenantId, jobId: job.id, correlationId }),
  )
}

/** An export job, or undefined. */
export async function getExportJob(tenantId: string, id: string): Promise<ExportState | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: exportKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? exportState(out.Item) : undefined
}

const UNFINISHED = {
  ConditionExpression: '#job.#status IN (:queued, :running)',
  names: { '#job': 'job', '#status': 'status' },
  values: { ':queued': 'queued', ':running': 'running' },
} as const

/**
 * Starts one run of an export job: `running`, attempts + 1. Undefined when there is no such job or
 * it has finished (completed or failed): a redelivered event finds nothing to do.
 */
export async function claimExportJob(
  tenantId: string,
  id: string,
  now: string,
): Promise<ExportState | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: exportKey(tenantId, id),
        UpdateExpression: 'SET #job.#status = :running, #job.updatedAt = :now ADD attempts :one',
        ConditionExpression: UNFINISHED.ConditionExpression,
        ExpressionAttributeNames: UNFINISHED.names,
        ExpressionAttributeValues: { ...UNFINISHED.values, ':now': now, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    )
    return out.Attributes ? exportState(out.Attributes) : undefined
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined
    throw err
  }
}

/**
 * The unit of work that finishes an export job: the job `completed` (only from `running`) and its
 * `ContactExport.Completed` in the outbox; the worker commits it with the message's dedupe record.
 */
export function completeExportJob(tenantId: string, job: ExportJob, correlationId: string): Work {
  const name = table()
  return work(
    {
      Update: {
        TableName: name,
        Key: exportKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job',
        ConditionExpression: '#job.#status = :running',
        ExpressionAttributeNames: { '#job': 'job', '#status': 'status' },
        ExpressionAttributeValues: { ':job': job, ':running': 'running' },
      },
    },
    ...envelopes(tenantId, correlationId, exportCompleted(job)).map((e) => outboxPut(name, e)),
  )
}

/** An export job that cannot finish: saved `failed` with its reason (only while unfinished). */
export async function failExportJob(tenantId: string, job: ExportJob): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: exportKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job',
        ConditionExpression: UNFINISHED.ConditionExpression,
        ExpressionAttributeNames: UNFINISHED.names,
        ExpressionAttributeValues: { ...UNFINISHED.values, ':job': job },
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
  }
}
