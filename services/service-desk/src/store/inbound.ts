/**
 * Inbound email records: one per Message-ID received (the dedupe), and the quarantine of messages
 * that could not be read (kept with their bytes, listable, never dropped).
 *
 * | item       | pk / sk                                          | holds                                        |
 * | ---------- | ------------------------------------------------ | -------------------------------------------- |
 * | received   | `T#<t>#INBOUND#<sha256(Message-ID)>` / `INBOUND`  | `messageId`, outcome, `receivedAt`            |
 * | quarantine | `T#<t>#QUARANTINE#<sha256(bytes)>` / `QUARANTINE` | reason, detail, the bytes, deliveries; gsi1 `T#<t>#QUARANTINE` / `<receivedAt>#<sha>` |
 *
 * Access patterns:
 *  I1. Was this Message-ID received? GetItem (consistent).
 *  I2. Record a received message: Put (attribute_not_exists) in the SAME transaction as the ticket
 *      or comment it made (ticket-changes' `items`), so a message makes one ticket or comment, once:
 *      a concurrent duplicate fails that condition and reads I1.
 *  I3. Quarantine: UpdateItem (first receipt sets everything, each delivery counts), keyed by the
 *      bytes' hash, so a relay retrying the same broken message keeps one item.
 *  I4. List the quarantine newest first: Query gsi1. I5. One with its bytes: GetItem.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { QuarantinedMessage } from '@relay/contracts/service-desk-intake'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { digestOf, type QuarantineReason } from '../domain/inbound-mail.js'
import { type Item, type Key, table } from './table.js'

const receivedKey = (tenantId: string, messageId: string): Key => ({
  pk: tenantKey(tenantId, 'INBOUND', digestOf(Buffer.from(messageId.trim()))),
  sk: 'INBOUND',
})
const quarantineKey = (tenantId: string, sha: string): Key => ({
  pk: tenantKey(tenantId, 'QUARANTINE', sha),
  sk: 'QUARANTINE',
})

/**
 * A received message's dedupe record. Its ticket and comment are in the Message-ID index the
 * comment's own write keeps (store/comments.ts), committed in the same transaction.
 */
export interface Received {
  messageId: string
  outcome: 'created' | 'threaded'
  receivedAt: string
}

/** I1. */
export async function getReceived(tenantId: string, messageId: string): Promise<Received | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: receivedKey(tenantId, messageId), ConsistentRead: true }),
  )
  if (!out.Item) return undefined
  const { pk: _pk, sk: _sk, kind: _kind, ...rest } = out.Item
  return rest as Received
}

/** I2: the Put recording a received message, for the transaction of the ticket or comment it made. */
export function receivedPut(tenantId: string, r: Received): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: { ...receivedKey(tenantId, r.messageId), kind: 'inbound', ...r },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  }
}

/** The first value of a header in the raw bytes, unfolded, at most 200 characters (for the list). */
function rawHeader(raw: Uint8Array, name: string): string | undefined {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 64 * 1024)).toString('latin1')
  const block = head.split(/\r?\n\r?\n/)[0] ?? ''
  const m = new RegExp(`^${name}[ \\t]*:(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(block)
  const value = m?.[1]
    ?.replace(/\r?\n[ \t]+/g, ' ')
    .replace(/[\p{Cc}]/gu, '')
    .trim()
  return value ? value.slice(0, 200) : undefined
}

/** I3: keeps a message that could not be read (never empty: an empty body is refused before); the same bytes again count one more delivery. */
export async function quarantine(
  tenantId: string,
  raw: Uint8Array,
  problem: { reason: QuarantineReason; detail: string },
  now: string,
): Promise<QuarantinedMessage> {
  const sha = digestOf(raw)
  const from = rawHeader(raw, 'From')
  const subject = rawHeader(raw, 'Subject')
  const out = await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: quarantineKey(tenantId, sha),
      // Every attribute by a placeholder: `raw`, `size` and others are DynamoDB reserved words.
      UpdateExpression:
        [
          'SET #kind = :kind, #id = :id, #reason = if_not_exists(#reason, :reason)',
          '#detail = if_not_exists(#detail, :detail), #size = :size, #sha = :id, #raw = if_not_exists(#raw, :raw)',
          '#at = if_not_exists(#at, :now), gsi1pk = :list, gsi1sk = if_not_exists(gsi1sk, :sort)',
          ...(from ? ['#from = if_not_exists(#from, :from)'] : []),
          ...(subject ? ['#subject = if_not_exists(#subject, :subject)'] : []),
        ].join(', ') + ' ADD #deliveries :one',
      ExpressionAttributeNames: {
        '#kind': 'kind',
        '#id': 'id',
        '#reason': 'reason',
        '#detail': 'detail',
        '#size': 'sizeBytes',
        '#sha': 'sha256',
        '#raw': 'raw',
        '#at': 'receivedAt',
        '#deliveries': 'deliveries',
        ...(from ? { '#from': 'from' } : {}),
        ...(subject ? { '#subject': 'subject' } : {}),
      },
      ExpressionAttributeValues: {
        ':kind': 'quarantine',
        ':id': sha,
        ':reason': problem.reason,
        ':detail': problem.detail,
        ':size': raw.byteLength,
        ':raw': Buffer.from(raw),
        ':now': now,
        ':list': tenantKey(tenantId, 'QUARANTINE'),
        ':sort': `${now}#${sha}`,
        ':one': 1,
        ...(from ? { ':from': from } : {}),
        ...(subject ? { ':subject': subject } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }),
  )
  return quarantinedOf(out.Attributes ?? {})
}

function quarantinedOf(item: Item): QuarantinedMessage {
  return {
    id: String(item.id),
    reason: String(item.reason),
    detail: String(item.detail),
    sizeBytes: Number(item.sizeBytes),
    sha256: String(item.sha256),
    ...(typeof item.from === 'string' ? { from: item.from } : {}),
    ...(typeof item.subject === 'string' ? { subject: item.subject } : {}),
    receivedAt: String(item.receivedAt),
    deliveries: Number(item.deliveries ?? 1),
  }
}

/** I4: the quarantine, newest first (without the bytes). */
export async function listQuarantine(
  tenantId: string,
  q: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<QuarantinedMessage>> {
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'QUARANTINE') },
      ProjectionExpression:
        'pk, sk, gsi1pk, gsi1sk, #id, #reason, #detail, sizeBytes, sha256, #from, #subject, receivedAt, deliveries',
      ExpressionAttributeNames: {
        '#id': 'id',
        '#reason': 'reason',
        '#detail': 'detail',
        '#from': 'from',
        '#subject': 'subject',
      },
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
    },
  )
  return {
    items: result.items.map(quarantinedOf),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** I5: one quarantined message with its bytes. */
export async function getQuarantined(
  tenantId: string,
  id: string,
): Promise<(QuarantinedMessage & { raw: Uint8Array }) | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: quarantineKey(tenantId, id), ConsistentRead: true }),
  )
  if (!out.Item) return undefined
  return { ...quarantinedOf(out.Item), raw: out.Item.raw as Uint8Array }
}
