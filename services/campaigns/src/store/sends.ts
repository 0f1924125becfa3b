/**
 * Per-recipient send records (table `main`): one per campaign and contact, claimed with a
 * conditional write BEFORE SendRawEmail, so no retry, redelivery or restart sends anyone twice.
 *
 * | item | pk                            | sk   | indexes                                           |
 * | send | T#t#SEND#<campaignId>#<contact> | SEND | gsi1: T#t#CAMPAIGN#<campaignId>#SENDS / <contact> |
 *
 * One partition per send (not per campaign): a campaign sending at 1 000 a second writes ~3 000
 * items a second, more than one partition takes.
 *
 * Access patterns:
 *  1. Claim recipients                   PutItem attribute_not_exists(pk) (status `claimed`, a claim
 *                                        token), 25 to a TransactWriteItems
 *  2. Which of a page are claimed        BatchGetItem (≤ 100 keys; unprocessed keys retried)
 *  3. Sent / failed / uncertain          UpdateItem on the claim token; `sent` with Email.Sent in one transaction
 *  4. Throttled before SES took it       DeleteItem on the claim token (the recipient is tried again)
 *  5. A send by campaign and contact     GetItem (tracking links, unsubscribe, SES feedback)
 *  6. A campaign's sends                 Query gsi1 (pk T#t#CAMPAIGN#<id>#SENDS)
 *  7. Opens, clicks, unsubscribe, feedback: UpdateItem; the first of each kind with its event in
 *     one transaction (its condition says "first"), later ones only counted
 */
import {
  BatchGetCommand,
  DeleteCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { Send, SendStatus } from '@relay/contracts/campaign-sends'
import { CAMPAIGN_EMAIL_EVENT } from '@relay/contracts/campaigns-events'
import type { Page } from '@relay/contracts/common'
import { documentClient } from '@relay/core/ddb'
import { isConditionalCheckFailed } from '@relay/core/errors'
import { newId, nowIso } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import { type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { Unavailable } from '@relay/core/outcomes'
import { emailActivityItem } from '../queues.js'
import { engagementItem } from './audience.js'
import { campaignEvent, getItem, type PageQuery, page, table } from './table.js'

export const sendKey = (tenantId: string, campaignId: string, contactId: string) => ({
  pk: tenantKey(tenantId, 'SEND', campaignId, contactId),
  sk: 'SEND',
})

export type StoredSend = Send & {
  claimToken?: string
  clickedLinks?: Set<number>
  /** SES's feedback (delivered, bounced, complained), apart from the sender's `status`. */
  feedback?: 'delivered' | 'bounced' | 'complained'
}

/** The API's view: the claim token and the clicked-link set stripped. */
export function toSend(s: StoredSend): Send {
  const { claimToken: _t, clickedLinks: _l, feedback, ...rest } = s
  // SES's feedback, once there is some, says more than `sent`.
  return feedback && (rest.status === 'sent' || rest.status === 'uncertain')
    ? { ...rest, status: feedback }
    : rest
}

export interface Recipient {
  contactId: string
  email: string
}

export type Claim = { claimed: true; send: StoredSend } | { claimed: false }

/** A new send record (status `claimed`) and its item. */
function newSend(
  tenantId: string,
  campaignId: string,
  recipient: Recipient,
  variantId: string,
  claimToken: string,
): { send: StoredSend; item: Record<string, unknown> } {
  const send: StoredSend = {
    id: newId(),
    campaignId,
    contactId: recipient.contactId,
    email: recipient.email,
    variantId,
    status: 'claimed',
    claimedAt: nowIso(),
    opens: 0,
    clicks: 0,
    claimToken,
  }
  const item = {
    ...sendKey(tenantId, campaignId, recipient.contactId),
    gsi1pk: tenantKey(tenantId, 'CAMPAIGN', campaignId, 'SENDS'),
    gsi1sk: recipient.contactId,
    kind: 'send',
    ...send,
  }
  return { send, item }
}

/** Access pattern 1: the recipient reserved for this attempt, or `claimed: false` when someone was first. */
export async function claimSend(
  tenantId: string,
  campaignId: string,
  recipient: Recipient,
  variantId: string,
  claimToken: string,
): Promise<Claim> {
  const { send, item } = newSend(tenantId, campaignId, recipient, variantId, claimToken)
  try {
    await documentClient().send(
      new PutCommand({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    )
    return { claimed: true, send }
  } catch (err) {
    if (isConditionalCheckFailed(err)) return { claimed: false }
    throw err
  }
}

/** TransactWriteItems holds at most 100 items; claims go 25 at a time (a cancelled group is retried one by one). */
const CLAIM_GROUP = 25

/**
 * Access pattern 1 for many recipients: conditional Puts 25 to a transaction (one round trip instead
 * of 25). A group with someone claimed already is cancelled as a whole, and its recipients are then
 * claimed one by one, so each still gets exactly one claim. Answers the sends this attempt holds.
 */
export async function claimSends(
  tenantId: string,
  campaignId: string,
  recipients: readonly (Recipient & { variantId: string })[],
  claimToken: string,
): Promise<StoredSend[]> {
  const held: StoredSend[] = []
  for (let i = 0; i < recipients.length; i += CLAIM_GROUP) {
    const group = recipients
      .slice(i, i + CLAIM_GROUP)
      .map((r) => newSend(tenantId, campaignId, r, r.variantId, claimToken))
    try {
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: group.map(({ item }) => ({
            Put: { TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
          })),
        }),
      )
      held.push(...group.map((g) => g.send))
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err
      for (const g of group) {
        const one = await claimSend(tenantId, campaignId, g.send, g.send.variantId, claimToken)
        if (one.claimed) held.push(one.send)
      }
    }
  }
  return held
}

/** Access pattern 2: the contact ids of `contactIds` that already have a send record. */
export async function claimedAmong(
  tenantId: string,
  campaignId: string,
  contactIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>()
  for (let i = 0; i < contactIds.length; i += 100) {
    let keys: Record<string, unknown>[] = contactIds
      .slice(i, i + 100)
      .map((id) => sendKey(tenantId, campaignId, id))
    for (let attempt = 0; keys.length && attempt < 6; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt))
      const out = await documentClient().send(
        new BatchGetCommand({
          RequestItems: {
            [table()]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'contactId' },
          },
        }),
      )
      for (const item of out.Responses?.[table()] ?? []) found.add(String(item.contactId))
      keys = (out.UnprocessedKeys?.[table()]?.Keys ?? []) as Record<string, unknown>[]
    }
    if (keys.length) throw new Unavailable(1, 'Send records could not be read in full; retry.')
  }
  return found
}

const onClaim = (token: string) => ({
  ConditionExpression: '#status = :claimed AND claimToken = :token',
  names: { '#status': 'status' },
  values: { ':claimed': 'claimed', ':token': token },
})

/** What every Email.* event of a send carries. */
export function recipientData(s: Send, journeyId?: string) {
  return {
    contactId: s.contactId,
    email: s.email,
    campaignId: s.campaignId,
    variantId: s.variantId,
    sendId: s.id,
    ...(journeyId ? { journeyId } : {}),
  }
}

/** Access pattern 3: SES took the message; Email.Sent commits with the record. */
export async function markSent(
  tenantId: string,
  send: StoredSend,
  sesMessageId: string,
  extra: { campaignName: string; subject: string; correlationId: string },
): Promise<void> {
  const c = onClaim(send.claimToken ?? '')
  const sentAt = nowIso()
  const event = campaignEvent(tenantId, extra.correlationId, CAMPAIGN_EMAIL_EVENT.sent, {
    ...recipientData(send),
    occurredAt: sentAt,
    sesMessageId,
    campaignName: extra.campaignName,
    subject: extra.subject,
  })
  await transactWithEvents(
    table(),
    [
      {
        Update: {
          TableName: table(),
          Key: sendKey(tenantId, send.campaignId, send.contactId),
          UpdateExpression: 'SET #status = :sent, sesMessageId = :mid, sentAt = :at REMOVE claimToken',
          ConditionExpression: c.ConditionExpression,
          ExpressionAttributeNames: c.names,
          ExpressionAttributeValues: { ...c.values, ':sent': 'sent', ':mid': sesMessageId, ':at': sentAt },
        },
      },
      // Segments on engagement ("sent in the last 30 days") read this from the audience record.
      engagementItem(tenantId, send.contactId, 'sent', sentAt),
      // The report's counters and journey exits follow it through the work queue, not the bus.
      emailActivityItem(event),
    ],
    [event],
  )
}

/** Access pattern 3: SES refused the message (`failed`) or the call broke off (`uncertain`): never sent again. */
export async function markUnsent(
  tenantId: string,
  send: StoredSend,
  status: Extract<SendStatus, 'failed' | 'uncertain'>,
  error: string,
): Promise<void> {
  const c = onClaim(send.claimToken ?? '')
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: sendKey(tenantId, send.campaignId, send.contactId),
      UpdateExpression: 'SET #status = :st, #error = :err REMOVE claimToken',
      ConditionExpression: c.ConditionExpression,
      ExpressionAttributeNames: { ...c.names, '#error': 'error' },
      ExpressionAttributeValues: { ...c.values, ':st': status, ':err': error.slice(0, 500) },
    }),
  )
}

/** Access pattern 4: SES throttled before taking it; the recipient is free for the batch's retry. */
export async function releaseClaim(tenantId: string, send: StoredSend): Promise<void> {
  const c = onClaim(send.claimToken ?? '')
  try {
    await documentClient().send(
      new DeleteCommand({
        TableName: table(),
        Key: sendKey(tenantId, send.campaignId, send.contactId),
        ConditionExpression: c.ConditionExpression,
        ExpressionAttributeNames: c.names,
        ExpressionAttributeValues: c.values,
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
  }
}

/** Access pattern 5. */
export const getSend = (tenantId: string, campaignId: string, contactId: string) =>
  getItem<StoredSend>(sendKey(tenantId, campaignId, contactId))

/** Access pattern 6. */
export async function listSends(tenantId: string, campaignId: string, q: PageQuery): Promise<Page<Send>> {
  const result = await page<StoredSend>(
    tenantId,
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CAMPAIGN', campaignId, 'SENDS') },
    },
    q,
  )
  return { ...result, items: result.items.map(toSend) }
}

type Update = NonNullable<TransactItem['Update']>

/**
 * A "first time" update with its event in one transaction; when its condition says it is not the
 * first, `later` (a plain counter update) runs instead. True when it was the first.
 */
async function firstOrCount(
  first: Update,
  event: ReturnType<typeof campaignEvent>,
  later: Update,
  extra: TransactItem,
): Promise<boolean> {
  try {
    await transactWithEvents(table(), [{ Update: first }, extra, emailActivityItem(event)], [event])
    return true
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
    try {
      await documentClient().send(new UpdateCommand(later))
    } catch (e) {
      if (!isConditionalCheckFailed(e)) throw e
    }
    return false
  }
}

/** Access pattern 7: an open (pixel fetched); Email.Opened on the first. */
export function recordOpen(tenantId: string, send: Send, correlationId: string): Promise<boolean> {
  const key = sendKey(tenantId, send.campaignId, send.contactId)
  const now = nowIso()
  return firstOrCount(
    {
      TableName: table(),
      Key: key,
      UpdateExpression: 'SET openedAt = :now, opens = opens + :one',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(openedAt)',
      ExpressionAttributeValues: { ':now': now, ':one': 1 },
    },
    campaignEvent(tenantId, correlationId, CAMPAIGN_EMAIL_EVENT.opened, {
      ...recipientData(send),
      occurredAt: now,
    }),
    {
      TableName: table(),
      Key: key,
      UpdateExpression: 'SET opens = opens + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1 },
    },
    engagementItem(tenantId, send.contactId, 'opened', now),
  )
}

/**
 * Access pattern 7: a click on link `link` (its index in the HTML); Email.Clicked on the first
 * click of each link, so a recipient clicking one link ten times counts as one engagement.
 * A click implies an open (images may be blocked): the first click sets `openedAt` if unset.
 */
export function recordClick(
  tenantId: string,
  send: Send,
  link: number,
  url: string,
  correlationId: string,
): Promise<boolean> {
  const key = sendKey(tenantId, send.campaignId, send.contactId)
  const now = nowIso()
  return firstOrCount(
    {
      TableName: table(),
      Key: key,
      UpdateExpression:
        'SET clickedAt = if_not_exists(clickedAt, :now), openedAt = if_not_exists(openedAt, :now), clicks = clicks + :one ADD clickedLinks :link',
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(clickedLinks, :l)',
      ExpressionAttributeValues: { ':now': now, ':one': 1, ':link': new Set([link]), ':l': link },
    },
    campaignEvent(tenantId, correlationId, CAMPAIGN_EMAIL_EVENT.clicked, {
      ...recipientData(send),
      occurredAt: now,
      url,
      link,
      firstClick: send.clicks === 0,
    }),
    {
      TableName: table(),
      Key: key,
      UpdateExpression: 'SET clicks = clicks + :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1 },
    },
    engagementItem(tenantId, send.contactId, 'clicked', now),
  )
}

/**
 * Access pattern 7: the recipient unsubscribed through this send; Email.Unsubscribed (contacts
 * withdraws the consent) and `extra` (the suppression) commit with the first, later ones are no-ops.
 */
export async function recordUnsubscribe(
  tenantId: string,
  send: Send,
  method: 'one-click' | 'link',
  extra: readonly TransactItem[],
  correlationId: string,
): Promise<boolean> {
  const now = nowIso()
  const event = campaignEvent(tenantId, correlationId, CAMPAIGN_EMAIL_EVENT.unsubscribed, {
    ...recipientData(send),
    occurredAt: now,
    method,
    reason: 'campaign-unsubscribe',
  })
  try {
    await transactWithEvents(
      table(),
      [
        {
          Update: {
            TableName: table(),
            Key: sendKey(tenantId, send.campaignId, send.contactId),
            UpdateExpression: 'SET unsubscribedAt = :now',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(unsubscribedAt)',
            ExpressionAttributeValues: { ':now': now },
          },
        },
        ...extra,
        emailActivityItem(event),
      ],
      [event],
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** SES feedback statuses, strongest last: a late Delivery never overwrites a Bounce or Complaint. */
export const FEEDBACK_RANK: Record<string, number> = { delivered: 1, bounced: 2, complained: 3 }

/**
 * Access pattern 7: SES's feedback on a send (delivered, bounced, complained), kept in its own
 * attribute `feedback` beside the sender's `status`, so neither write can undo the other (SES's
 * Delivery can arrive before the sender has recorded `sent`). It only moves up (notifications
 * arrive in any order). For the subscriber's unit of work, with its event and a suppression.
 */
export function feedbackItems(
  tenantId: string,
  send: Send,
  status: 'delivered' | 'bounced' | 'complained',
  at: string,
): TransactItem {
  const weaker = Object.entries(FEEDBACK_RANK)
    .filter(([, r]) => r < (FEEDBACK_RANK[status] ?? 0))
    .map(([s]) => s)
  const values: Record<string, unknown> = { ':st': status, ':at': at }
  weaker.forEach((s, i) => {
    values[`:w${i}`] = s
  })
  const weakerClause = weaker.length ? ` OR feedback IN (${weaker.map((_, i) => `:w${i}`).join(', ')})` : ''
  return {
    Update: {
      TableName: table(),
      Key: sendKey(tenantId, send.campaignId, send.contactId),
      UpdateExpression: 'SET feedback = :st, feedbackAt = :at',
      ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(feedback)${weakerClause})`,
      ExpressionAttributeValues: values,
    },
  }
}
