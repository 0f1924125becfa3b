/**
 * Persistence of idempotency records (one item per key in the service's table):
 *
 * | attribute         | meaning                                                               |
 * | ----------------- | --------------------------------------------------------------------- |
 * | pk                | `T#<tenant>#IDEMP#<sha256(key)>`, or `PUBLIC#IDEMP#<sha256(path, key)>` |
 * | sk                | `IDEMP`                                                               |
 * | status            | `IN_PROGRESS` while the first request runs, then `COMPLETED`          |
 * | owner             | the claiming request's random token                                   |
 * | requestHash       | sha256 of method, path and body: the same key with another request → 422 |
 * | inProgressUntil   | epoch ms: a claim whose request died lapses then                      |
 * | committedAt       | epoch ms, set by the request's entity transaction                     |
 * | response          | the stored answer, replayed for the same key                          |
 * | ttl               | epoch s, 24 h                                                          |
 */
import { createHash, randomUUID } from 'node:crypto'
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import { documentClient } from './ddb.js'
import { isConditionalCheckFailed } from './errors.js'
import type { ActiveClaim } from './idempotency-claim.js'
import { tenantKey } from './keys.js'

/** How long a completed request's answer is replayed. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600
/** Bounds of a claim's lease: the function's remaining time, clamped. */
const MIN_LEASE_MS = 1000
const MAX_LEASE_MS = 900_000
const SK = 'IDEMP'

/** A stored answer (an API Gateway structured result). */
export interface StoredResponse {
  statusCode?: number
  headers?: Record<string, string | number | boolean>
  body?: string
}

export interface IdempotencyRecord {
  status?: 'IN_PROGRESS' | 'COMPLETED'
  owner?: string
  requestHash?: string
  inProgressUntil?: number
  committedAt?: number
  response?: StoredResponse
  ttl?: number
}

/** Send options that abort the call after `timeoutMs` (none without it). */
function withTimeout(timeoutMs: number | undefined): { abortSignal?: AbortSignal } {
  return timeoutMs === undefined
    ? {}
    : { abortSignal: AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))) }
}

/** True for a call given up by {@link withTimeout}. */
export function isAborted(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name
  return name === 'AbortError' || name === 'TimeoutError'
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/**
 * The record key of an Idempotency-Key: per tenant, or, on a public route (no tenant), per route
 * path (which names what is posted to, e.g. the form id).
 */
export function recordKey(tenantId: string, path: string, key: string): { pk: string; sk: string } {
  return tenantId
    ? { pk: tenantKey(tenantId, 'IDEMP', sha256(key)), sk: SK }
    : { pk: `PUBLIC#IDEMP#${sha256(`${path}\n${key}`)}`, sk: SK }
}

export type ClaimResult = { claimed: ActiveClaim } | { existing: IdempotencyRecord | undefined }

/**
 * Claims a key with one conditional Put: free, expired, or held by a request that died before it
 * committed anything. Of two simultaneous requests exactly one gets it.
 */
export async function claimKey(a: {
  table: string
  key: { pk: string; sk: string }
  requestHash: string
  leaseMs: number
  /** Gives up the call after this long (a stalled DynamoDB must not outlive the function). */
  timeoutMs?: number
  now?: number
}): Promise<ClaimResult> {
  const now = a.now ?? Date.now()
  const owner = randomUUID()
  const lease = Math.min(Math.max(a.leaseMs, MIN_LEASE_MS), MAX_LEASE_MS)
  try {
    await documentClient().send(
      new PutCommand({
        TableName: a.table,
        Item: {
          ...a.key,
          kind: 'idempotency',
          status: 'IN_PROGRESS',
          owner,
          requestHash: a.requestHash,
          inProgressUntil: now + lease,
          ttl: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR #ttl < :nowSec OR (#status = :inProgress AND #until < :nowMs AND attribute_not_exists(committedAt))',
        ExpressionAttributeNames: { '#ttl': 'ttl', '#status': 'status', '#until': 'inProgressUntil' },
        ExpressionAttributeValues: {
          ':nowSec': Math.floor(now / 1000),
          ':nowMs': now,
          ':inProgress': 'IN_PROGRESS',
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
      withTimeout(a.timeoutMs),
    )
    return { claimed: { table: a.table, key: a.key, owner } }
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    return { existing: await existingRecord(err, a.table, a.key) }
  }
}

async function existingRecord(
  err: unknown,
  table: string,
  key: { pk: string; sk: string },
): Promise<IdempotencyRecord | undefined> {
  const item = (err as { Item?: Record<string, unknown> }).Item
  if (item) {
    // The exception carries the raw AttributeValue map (lib-dynamodb does not translate errors).
    const pk = item.pk
    return (pk && typeof pk === 'object' ? unmarshall(item as never) : item) as IdempotencyRecord
  }
  const out = await documentClient().send(
    new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
  )
  return out.Item as IdempotencyRecord | undefined
}

/**
 * Stores the answer of the claiming request, if it still owns the claim (false when it does
 * not: the claim was released or taken over after a time-out).
 */
export async function completeClaim(
  claim: ActiveClaim,
  requestHash: string,
  response: StoredResponse,
): Promise<boolean> {
  const now = Date.now()
  try {
    await documentClient().send(
      new PutCommand({
        TableName: claim.table,
        Item: {
          ...claim.key,
          kind: 'idempotency',
          status: 'COMPLETED',
          owner: claim.owner,
          requestHash,
          committedAt: now,
          response,
          ttl: Math.floor(now / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': claim.owner },
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/**
 * Gives the key up after a failure, unless the request's write committed (the claim then stays:
 * retries get 409 until the answer is stored or the lease lapses), or another request took it over.
 */
export async function releaseClaim(claim: ActiveClaim, timeoutMs?: number): Promise<'released' | 'kept'> {
  try {
    await documentClient().send(
      new DeleteCommand({
        TableName: claim.table,
        Key: claim.key,
        ConditionExpression: 'attribute_not_exists(committedAt) AND #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': claim.owner },
      }),
      withTimeout(timeoutMs),
    )
    return 'released'
  } catch (err) {
    if (isConditionalCheckFailed(err)) return 'kept'
    throw err
  }
}
