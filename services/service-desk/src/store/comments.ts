/**
 * Comments of a ticket: `T#<t>#TICKET#<ticketId>` / `COMMENT#<commentId>` (the ticket's partition, so
 * a conversation is one Query, oldest first by its ULIDs), and the Message-ID index that threads
 * mail onto tickets: `T#<t>#MSGID#<sha256(Message-ID)>` / `MSGID` → `{ ticketId, commentId }`.
 *
 * Access patterns:
 *  C1. A ticket's comments, oldest first: Query pk, begins_with(sk, 'COMMENT#').
 *  C2. One comment: GetItem.
 *  C3. Add a comment: Put (attribute_not_exists) in the ticket's transaction (store/tickets.ts), with
 *      its Message-ID item when it has one.
 *  C4. Which ticket a Message-ID belongs to (In-Reply-To / References of inbound mail): BatchGetItem.
 *  C5. Mail delivery of a public reply: Update of `mail` (sent once: conditioned on not sent yet).
 *  C6. Erasure: every comment of a ticket rewritten without its text and author email.
 */
import { createHash } from 'node:crypto'
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Comment } from '@relay/contracts/service-desk'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { type Item, type Key, table, ticketKey } from './table.js'

export function commentKey(tenantId: string, ticketId: string, commentId: string): Key {
  return { pk: ticketKey(tenantId, ticketId).pk, sk: `COMMENT#${commentId}` }
}

/** Key of the Message-ID index item (hashed: a Message-ID may be up to 998 characters of anything). */
export function messageIdKey(tenantId: string, messageId: string): Key {
  const digest = createHash('sha256').update(messageId.trim()).digest('hex').slice(0, 40)
  return { pk: tenantKey(tenantId, 'MSGID', digest), sk: 'MSGID' }
}

function commentOf(item: Item): Comment {
  const { pk: _pk, sk: _sk, kind: _kind, ...comment } = item
  return comment as Comment
}

/** C3: the Put of a new comment (and of its Message-ID index item), for the ticket's transaction. */
export function commentPuts(tenantId: string, comment: Comment): TransactItem[] {
  const name = table()
  const items: TransactItem[] = [
    {
      Put: {
        TableName: name,
        Item: { ...commentKey(tenantId, comment.ticketId, comment.id), kind: 'comment', ...comment },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]
  const messageId = comment.messageId ?? comment.mail?.messageId
  if (messageId) {
    items.push({
      Put: {
        TableName: name,
        Item: {
          ...messageIdKey(tenantId, messageId),
          kind: 'message-id',
          messageId,
          ticketId: comment.ticketId,
          commentId: comment.id,
        },
      },
    })
  }
  return items
}

/** C1: a ticket's comments, oldest first. */
export async function listComments(
  tenantId: string,
  ticketId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Comment>> {
  const result = await queryPage(
    {
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
      ExpressionAttributeValues: { ':pk': ticketKey(tenantId, ticketId).pk, ':c': 'COMMENT#' },
      ConsistentRead: true,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    },
  )
  return {
    items: result.items.map(commentOf),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** C2: one comment (consistent), or undefined. */
export async function getComment(
  tenantId: string,
  ticketId: string,
  commentId: string,
): Promise<Comment | undefined> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: commentKey(tenantId, ticketId, commentId),
      ConsistentRead: true,
    }),
  )
  return out.Item ? commentOf(out.Item) : undefined
}

/** C4: the ticket the first known of `messageIds` belongs to (latest first is the caller's order). */
export async function ticketIdForMessageIds(
  tenantId: string,
  messageIds: readonly string[],
): Promise<string | undefined> {
  const ids = [...new Set(messageIds.map((m) => m.trim()).filter(Boolean))].slice(0, 100)
  if (ids.length === 0) return undefined
  const keys = ids.map((m) => messageIdKey(tenantId, m))
  const out = await documentClient().send(
    new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
  )
  const found = new Map((out.Responses?.[table()] ?? []).map((i) => [i.pk as string, i.ticketId as string]))
  for (const key of keys) {
    const ticketId = found.get(key.pk)
    if (ticketId) return ticketId
  }
  // Keys BatchGet left unprocessed (throttling) are read one by one rather than taken as unknown.
  for (const key of (out.UnprocessedKeys?.[table()]?.Keys ?? []) as Key[]) {
    const one = await documentClient().send(
      new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }),
    )
    if (one.Item?.ticketId) return one.Item.ticketId as string
  }
  return undefined
}

/** C5: a public reply's mail was handed to SES (recorded once; a second send attempt finds it sent). */
export function markMailSentWork(
  tenantId: string,
  ticketId: string,
  commentId: string,
  sentAt: string,
): Work {
  return work({
    Update: {
      TableName: table(),
      Key: commentKey(tenantId, ticketId, commentId),
      UpdateExpression: 'SET mail.#s = :sent, mail.sentAt = :at',
      ConditionExpression: 'attribute_exists(mail) AND mail.#s <> :sent',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':at': sentAt },
    },
  })
}

/** C5: a public reply could not be sent (no requester address, or SES refused it for good). */
export function markMailFailedWork(
  tenantId: string,
  ticketId: string,
  commentId: string,
  status: 'failed' | 'skipped',
  error: string,
): Work {
  return work({
    Update: {
      TableName: table(),
      Key: commentKey(tenantId, ticketId, commentId),
      UpdateExpression: 'SET mail.#s = :st, mail.#e = :e',
      ConditionExpression: 'attribute_exists(mail) AND mail.#s <> :sent',
      ExpressionAttributeNames: { '#s': 'status', '#e': 'error' },
      ExpressionAttributeValues: { ':st': status, ':e': error.slice(0, 500), ':sent': 'sent' },
    },
  })
}

/**
 * C6: every comment of a ticket without its text and author email (right to erasure), keeping
 * the comment (who, when, public or not) so counts stay. Idempotent: an erased comment is rewritten
 * the same. Writes directly, one comment at a time: a ticket may hold more comments than one
 * transaction, and a redelivered erasure simply does it again.
 */
export async function eraseComments(tenantId: string, ticketId: string): Promise<number> {
  let erased = 0
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ExpressionAttributeValues: { ':pk': ticketKey(tenantId, ticketId).pk, ':c': 'COMMENT#' },
        ProjectionExpression: 'pk, sk, mail',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    for (const item of out.Items ?? []) {
      // A nested path can only be removed where its parent exists.
      const withMail = item.mail !== undefined
      await documentClient().send(
        new UpdateCommand({
          TableName: table(),
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: `SET body = :erased REMOVE authorEmail${withMail ? ', mail.#to' : ''}`,
          ...(withMail ? { ExpressionAttributeNames: { '#to': 'to' } } : {}),
          ExpressionAttributeValues: { ':erased': '[erased]' },
        }),
      )
      erased++
    }
    start = out.LastEvaluatedKey
  } while (start)
  return erased
}
