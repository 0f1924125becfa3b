import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { isConditionalCheckFailed } from './errors.js'
import { tenantPrefix } from './keys.js'
import { ENV, tableEnvVar } from './manifest.js'
import { Invalid } from './outcomes.js'
import type { TransactItem } from './transact-item.js'

let client: DynamoDBDocumentClient | undefined

/**
 * The shared DynamoDB document client, created on first use so that `DYNAMODB_ENDPOINT` set after
 * import (local runtime, tests) is honoured.
 */
export function documentClient(): DynamoDBDocumentClient {
  if (!client) {
    const endpoint = process.env[ENV.dynamodbEndpoint]
    client = DynamoDBDocumentClient.from(new DynamoDBClient(endpoint ? { endpoint } : {}), {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
    })
  }
  return client
}

/** Forgets the shared client (tests that change `DYNAMODB_ENDPOINT`). */
export function resetDocumentClient(): void {
  client = undefined
}

/**
 * Physical name of one of a service's tables, read from env `tableEnvVar(service, table)`.
 *
 * @example
 * tableName('contacts', 'main') // process.env.CONTACTS_MAIN_TABLE
 */
export function tableName(service: string, table: string): string {
  const name = tableEnvVar(service, table)
  const value = process.env[name]
  if (!value)
    throw new Error(`Environment variable ${name} (table '${table}' of service '${service}') is not set`)
  return value
}

export { isConditionalCheckFailed } from './errors.js'

/** A pagination cursor: the base64url JSON of a `LastEvaluatedKey`. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  if (!key) return undefined
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

const PARTITION_KEY = /^(pk|gsi\d+pk)$/
const SORT_KEY = /^(sk|gsi\d+sk)$/

/**
 * Decodes a cursor made by {@link encodeCursor} for `tenantId`.
 *
 * Throws {@link Invalid} (400, field `cursor`) when the cursor is malformed, when a partition key
 * attribute (`pk`, `gsiNpk`) does not start with `T#<tenantId>#`, or when a sort key attribute
 * (`sk`, `gsiNsk`) names another tenant (`T#<other>#...`): a cursor can never start a query inside
 * another tenant's key space. Sort keys without a tenant prefix (`OUTBOX`, `C#01J...`) are accepted,
 * since the partition key alone decides the tenant.
 */
export function decodeCursor(
  cursor: string | undefined,
  tenantId: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined || cursor === '') return undefined
  const invalid = () => new Invalid([{ field: 'cursor', message: 'Invalid cursor', code: 'invalid_cursor' }])
  if (cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid()
  let key: unknown
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalid()
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalid()
  const entries = Object.entries(key as Record<string, unknown>)
  if (entries.length === 0 || typeof (key as Record<string, unknown>).pk !== 'string') throw invalid()
  const prefix = tenantPrefix(tenantId)
  for (const [name, value] of entries) {
    if (typeof value !== 'string' && typeof value !== 'number') throw invalid()
    if (PARTITION_KEY.test(name) && (typeof value !== 'string' || !value.startsWith(prefix))) throw invalid()
    if (
      SORT_KEY.test(name) &&
      typeof value === 'string' &&
      value.startsWith('T#') &&
      !value.startsWith(prefix)
    ) {
      throw invalid()
    }
  }
  return key as Record<string, unknown>
}

/** Default and maximum page sizes of {@link queryPage}. */
export const PAGE_LIMIT_DEFAULT = 25
export const PAGE_LIMIT_MAX = 100

/**
 * One page of a Query (never a Scan), with an opaque tenant-checked cursor.
 *
 * `limit` defaults to 25 and is clamped to 1..100.
 *
 * @example
 * const page = await queryPage(
 *   { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': tenantKey(t, 'CONTACTS') } },
 *   { limit: req.query.limit, cursor: req.query.cursor, tenantId: t },
 * )
 */
export async function queryPage(
  input: QueryCommandInput,
  page: { limit?: number; cursor?: string; tenantId: string },
): Promise<{ items: Record<string, unknown>[]; nextCursor?: string }> {
  const requested = page.limit ?? PAGE_LIMIT_DEFAULT
  const limit = Math.min(PAGE_LIMIT_MAX, Math.max(1, Number.isFinite(requested) ? Math.floor(requested) : 25))
  const startKey = decodeCursor(page.cursor, page.tenantId)
  try {
    const out = await documentClient().send(
      new QueryCommand({ ...input, Limit: limit, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    )
    const nextCursor = encodeCursor(out.LastEvaluatedKey)
    return { items: out.Items ?? [], ...(nextCursor ? { nextCursor } : {}) }
  } catch (err) {
    // A cursor of this tenant but from another listing (other index or key shape) is the client's mistake.
    if (startKey && (err as { name?: string }).name === 'ValidationException') {
      throw new Invalid([
        { field: 'cursor', message: 'The cursor does not belong to this listing', code: 'invalid_cursor' },
      ])
    }
    throw err
  }
}

/**
 * Commits a consumer's writes with its dedupe record (a Put conditioned on `attribute_not_exists(pk)`,
 * added last) in one TransactWriteItems, or the record alone with a Put when there are no writes.
 * `duplicate`: the record existed (another delivery got there first); a failed condition of the
 * writes themselves is thrown unless `ignoreConditionFailed` (then `condition-failed`).
 */
export async function commitWithDedupe(
  items: readonly TransactItem[],
  dedupe: NonNullable<TransactItem['Put']>,
  options: { ignoreConditionFailed?: boolean } = {},
): Promise<'committed' | 'duplicate' | 'condition-failed'> {
  try {
    if (items.length === 0) await documentClient().send(new PutCommand(dedupe))
    else await documentClient().send(new TransactWriteCommand({ TransactItems: [...items, { Put: dedupe }] }))
    return 'committed'
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons
    // The dedupe Put is last: its failure means another delivery got there first.
    if (!reasons || reasons[reasons.length - 1]?.Code === 'ConditionalCheckFailed') return 'duplicate'
    if (options.ignoreConditionFailed) return 'condition-failed'
    throw err
  }
}

/**
 * Counts one hit in a fixed one-minute window (public forms' rate limits); false when the window
 * already holds `limit`, counting nothing. The counter item expires after its window.
 *
 * @example
 * if (!(await takeMinuteSlot(table(), tenantKey(t, 'FORMRATE', formId), Date.now(), 30))) throw new RateLimited(60)
 */
export async function takeMinuteSlot(
  tableName: string,
  pkPrefix: string,
  nowMs: number,
  limit: number,
): Promise<boolean> {
  const window = Math.floor(nowMs / 60_000)
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: `${pkPrefix}#${window}`, sk: 'RATE' },
        UpdateExpression: 'ADD #n :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#n) OR #n < :limit',
        ExpressionAttributeNames: { '#n': 'n', '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': (window + 2) * 60 + 60 },
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}
