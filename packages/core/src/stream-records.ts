/**
 * What the two outbox publishers share: decoding the table stream's records and reporting what was
 * not published. Each outbox table's stream has two readers (DynamoDB streams allow two per shard),
 * each with an event-source filter on `kind`: the event publisher (`./outbox-publisher.ts`,
 * `kind = outbox`, PutEvents) and the queue publisher (`./queue-publisher.ts`, `kind = queue`,
 * SQS). Each also skips records of the other kind, so an unfiltered batch is safe too.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb'
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'

/** The two kinds of outbox item, as the `kind` attribute (and the stream filters) name them. */
export type OutboxKind = 'outbox' | 'queue'

/** The new image of a record that inserted an outbox item of `kind`, else undefined. */
export function insertedItem(record: DynamoDBRecord, kind: OutboxKind): Record<string, unknown> | undefined {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined
  const image = unmarshall(record.dynamodb.NewImage as never) as Record<string, unknown>
  return image.kind === kind ? image : undefined
}

/** The record's stream position: what a batch item failure names. */
export const sequenceOf = (record: DynamoDBRecord): string =>
  record.dynamodb?.SequenceNumber ?? record.eventID ?? ''

/** The partial batch response naming the `unsent` sequence numbers, in stream order (Lambda resumes the shard at the earliest). */
export function batchItemFailures(
  event: DynamoDBStreamEvent,
  unsent: ReadonlySet<string>,
): DynamoDBBatchResponse {
  const failures = [...new Set((event.Records ?? []).map(sequenceOf))].filter((s) => unsent.has(s))
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) }
}

export interface PublisherOptions {
  /** Attempts per entry within one invocation, default 4. */
  maxAttempts?: number
  /** First backoff delay; doubled each attempt, with jitter. Default 100 ms. */
  baseDelayMs?: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `attempt` on what is still pending until nothing is, or `maxAttempts` ran (backing off
 * between attempts); returns what is left.
 */
export async function withRetries<T>(
  pending: T[],
  options: PublisherOptions,
  attempt: (pending: T[]) => Promise<T[]>,
): Promise<T[]> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4)
  const baseDelayMs = Math.max(0, options.baseDelayMs ?? 100)
  for (let n = 1; pending.length > 0 && n <= maxAttempts; n++) {
    if (n > 1 && baseDelayMs > 0) await sleep(baseDelayMs * 2 ** (n - 2) * (0.5 + Math.random() / 2))
    pending = await attempt(pending)
  }
  return pending
}
