/**
 * Satisfaction surveys: one per ticket, in the ticket's partition (`T#<t>#TICKET#<id>` / `SURVEY`).
 *
 * Access patterns:
 *  S0. A solve asks for the survey: a `send-survey` work message in the solve's own transaction
 *      (every ticket write passes through {@link surveyRequest}), so no solve is missed and none
 *      that did not commit sends one.
 *  S1. A ticket's survey: GetItem (consistent).
 *  S2. Create once: Put (attribute_not_exists): a second solve, a redelivered event find it there.
 *  S3. Send once: claim (status queued, no live lease) → SES → mark sent (status queued → sent).
 *      A crash between SES and the mark leaves the lease, which lapses after {@link SEND_LEASE_MS}:
 *      only that window can send a second copy, never two concurrent deliveries.
 *  S4. Rate: Update (score absent, the token's jti is the survey's) + Ticket.Rated, one transaction.
 *  S5. Comment after a one-click rating: Update (score present, comment absent, same jti).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { TICKET_EVENT } from '@relay/contracts/service-desk'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import type { Survey } from '../domain/csat.js'
import type { Emitted } from '../domain/events.js'
import { queueItem } from '../queues.js'
import { envelopes, type Key, table, ticketKey } from './table.js'

/** How long a claimed send may take before another delivery may try (SES answers in seconds). */
export const SEND_LEASE_MS = 120_000

const surveyKey = (tenantId: string, ticketId: string): Key => ({
  pk: ticketKey(tenantId, ticketId).pk,
  sk: 'SURVEY',
})

/** S0: the work message of a write that solves a ticket (its Ticket.Solved says so), else nothing. */
export function surveyRequest(
  tenantId: string,
  w: { after: { id: string; solvedAt?: string | undefined }; events: readonly Emitted[] },
  correlationId: string,
): TransactItem[] {
  if (!w.events.some((e) => e.detailType === TICKET_EVENT.solved)) return []
  return [
    queueItem('send-survey', {
      tenantId,
      ticketId: w.after.id,
      solvedAt: w.after.solvedAt ?? new Date().toISOString(),
      correlationId,
    }),
  ]
}

/** S1. */
export async function getSurvey(
  tenantId: string,
  ticketId: string,
): Promise<(Survey & { sendingUntil?: number }) | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: surveyKey(tenantId, ticketId), ConsistentRead: true }),
  )
  if (!out.Item) return undefined
  const { pk: _pk, sk: _sk, kind: _kind, ...survey } = out.Item
  return survey as Survey & { sendingUntil?: number }
}

/** S2: creates the ticket's survey; false when it has one already. */
export async function createSurvey(tenantId: string, survey: Survey): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: table(),
        Item: { ...surveyKey(tenantId, survey.ticketId), kind: 'survey', ...survey },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** S3: takes the right to send; false when it is sent, not to be sent, or another delivery holds a live lease. */
export async function claimSurveySend(tenantId: string, ticketId: string, nowMs: number): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: surveyKey(tenantId, ticketId),
        UpdateExpression: 'SET sendingUntil = :until',
        ConditionExpression: '#s = :queued AND (attribute_not_exists(sendingUntil) OR sendingUntil < :now)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':queued': 'queued', ':now': nowMs, ':until': nowMs + SEND_LEASE_MS },
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** S3: the survey went out (committed with the work message's dedupe record). */
export function markSurveySentWork(
  tenantId: string,
  ticketId: string,
  sesMessageId: string,
  sentAt: string,
): Work {
  return work({
    Update: {
      TableName: table(),
      Key: surveyKey(tenantId, ticketId),
      UpdateExpression: 'SET #s = :sent, sentAt = :at, sesMessageId = :ses REMOVE sendingUntil',
      ConditionExpression: '#s = :queued',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':queued': 'queued',
        ':at': sentAt,
        ':ses': sesMessageId,
      },
    },
  })
}

/** S3: the send failed before SES took it: the next delivery may try at once. */
export async function releaseSurveySend(tenantId: string, ticketId: string): Promise<void> {
  await documentClient()
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: surveyKey(tenantId, ticketId),
        UpdateExpression: 'REMOVE sendingUntil',
        ConditionExpression: '#s = :queued',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':queued': 'queued' },
      }),
    )
    .catch((err: unknown) => {
      if (!isConditionalCheckFailed(err)) throw err
    })
}

/** S4: records the first rating with its event; false when the survey was rated meanwhile (or is another one). */
export async function recordRating(
  tenantId: string,
  ticketId: string,
  jti: string,
  rating: { score: number; comment?: string | undefined; ratedAt: string },
  event: Emitted,
  correlationId: string,
): Promise<boolean> {
  try {
    await transactWithEvents(
      table(),
      [
        {
          Update: {
            TableName: table(),
            Key: surveyKey(tenantId, ticketId),
            UpdateExpression: `SET score = :score, ratedAt = :at${rating.comment ? ', #c = :comment' : ''}`,
            ConditionExpression: 'id = :jti AND attribute_not_exists(score)',
            ...(rating.comment ? { ExpressionAttributeNames: { '#c': 'comment' } } : {}),
            ExpressionAttributeValues: {
              ':score': rating.score,
              ':at': rating.ratedAt,
              ':jti': jti,
              ...(rating.comment ? { ':comment': rating.comment } : {}),
            },
          },
        },
      ],
      envelopes(tenantId, correlationId, [event]),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** S5: the comment after a one-click rating; false when one was given meanwhile. */
export async function addRatingComment(
  tenantId: string,
  ticketId: string,
  jti: string,
  comment: string,
): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: surveyKey(tenantId, ticketId),
        UpdateExpression: 'SET #c = :comment',
        ConditionExpression: 'id = :jti AND attribute_exists(score) AND attribute_not_exists(#c)',
        ExpressionAttributeNames: { '#c': 'comment' },
        ExpressionAttributeValues: { ':comment': comment, ':jti': jti },
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}
