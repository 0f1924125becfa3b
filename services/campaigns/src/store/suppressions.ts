/**
 * The suppression list (table `main`): addresses no campaign email goes to, whatever a segment or
 * a contact's consent says: hard bounces, complaints, unsubscribes (camp-send's SES feedback and
 * unsubscribe handlers write them), and addresses suppressed by hand.
 *
 * | item        | pk                  | sk                 |
 * | suppression | T#t#SUPPRESSION     | <address, folded>  |
 *
 * One partition per tenant: the list is small next to the audience, read whole (keys only) by a
 * preview, or looked up a page of recipients at a time by a send.
 *
 * Access patterns:
 *  1. Suppress an address          UpdateItem SET if_not_exists in the writer's transaction, or
 *                                  PutItem attribute_not_exists(sk): the first reason stays
 *  2. Is an address suppressed     GetItem
 *  3. Which of these are           BatchGetItem (100 keys a call, unprocessed keys retried)
 *  4. The list, by address          Query pk, paged
 *  5. Every suppressed address     Query pk, keys only, every page
 *  6. Lift (by hand)               DeleteItem, attribute_exists(sk)
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Suppression, SuppressionReason } from '@relay/contracts/campaigns'
import type { Page } from '@relay/contracts/common'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { deleteIfMatch, type PageQuery, page, table } from './table.js'

/** How an address is compared: trimmed and lower-cased (as contacts and the sender write it). */
export const normaliseAddress = (email: string): string => email.trim().toLowerCase()

const listPk = (tenantId: string) => tenantKey(tenantId, 'SUPPRESSION')
const suppressionKey = (tenantId: string, email: string) => ({
  pk: listPk(tenantId),
  sk: normaliseAddress(email),
})

/**
 * A suppression is written once (a second reason never replaces the first) and only lifted, so it
 * stays at version 1 (If-Match on its DELETE; an item written before versions counts as 1 too).
 */
const SUPPRESSION_VERSION = 1

export interface NewSuppression {
  email: string
  reason: SuppressionReason
  source: string
  at: string
  campaignId?: string | undefined
  contactId?: string | undefined
  detail?: string | undefined
}

function entryOf(s: NewSuppression): Suppression {
  return {
    email: normaliseAddress(s.email),
    reason: s.reason,
    source: s.source,
    at: s.at,
    ...(s.campaignId ? { campaignId: s.campaignId } : {}),
    ...(s.contactId ? { contactId: s.contactId } : {}),
    ...(s.detail ? { detail: s.detail.slice(0, 1000) } : {}),
  }
}

/**
 * Pattern 1, for the writer's transaction (a bounce, a complaint, an unsubscribe): every attribute
 * `if_not_exists`, so the first reason stays and an address suppressed already never fails the
 * writer's transaction.
 */
export function suppressionItem(tenantId: string, s: NewSuppression): TransactItem {
  const entry = { kind: 'suppression', ...entryOf(s), version: SUPPRESSION_VERSION } as Record<
    string,
    unknown
  >
  const names: Record<string, string> = {}
  const values: Record<string, unknown> = {}
  const set = Object.entries(entry).map(([k, v]) => {
    names[`#${k}`] = k
    values[`:${k}`] = v
    return `#${k} = if_not_exists(#${k}, :${k})`
  })
  return {
    Update: {
      TableName: table(),
      Key: suppressionKey(tenantId, s.email),
      UpdateExpression: `SET ${set.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  }
}

/** Pattern 1 on its own: true when the address was added, false when it was already suppressed. */
export async function suppress(tenantId: string, s: NewSuppression): Promise<boolean> {
  try {
    await documentClient().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...suppressionKey(tenantId, s.email),
          kind: 'suppression',
          ...entryOf(s),
          version: SUPPRESSION_VERSION,
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** Pattern 2. */
export async function getSuppression(tenantId: string, email: string): Promise<Suppression | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: suppressionKey(tenantId, email) }),
  )
  if (!out.Item) return undefined
  const { pk: _p, sk: _s, kind: _k, ...entry } = out.Item
  return entry as Suppression
}

/** Pattern 3: the suppressed ones among `emails` (normalised). */
export async function suppressedAmong(tenantId: string, emails: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>()
  const unique = [...new Set(emails.map(normaliseAddress))]
  const chunks: string[][] = []
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100))
  await Promise.all(
    chunks.map(async (chunk) => {
      let keys: Record<string, unknown>[] | undefined = chunk.map((e) => suppressionKey(tenantId, e))
      for (let attempt = 0; keys?.length; attempt++) {
        if (attempt >= 8) throw new Error('BatchGetItem left keys unprocessed after retries')
        if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
        const out = await documentClient().send(
          new BatchGetCommand({
            RequestItems: { [table()]: { Keys: keys, ProjectionExpression: 'sk' } },
          }),
        )
        for (const item of out.Responses?.[table()] ?? []) found.add(String(item.sk))
        keys = out.UnprocessedKeys?.[table()]?.Keys as Record<string, unknown>[] | undefined
      }
    }),
  )
  return found
}

/** Pattern 4. */
export function listSuppressions(tenantId: string, q: PageQuery): Promise<Page<Suppression>> {
  return page<Suppression>(
    tenantId,
    {
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': listPk(tenantId) },
    },
    q,
  )
}

/** Pattern 5: every suppressed address of the tenant. */
export async function suppressionSet(tenantId: string): Promise<Set<string>> {
  const all = new Set<string>()
  let startKey: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': listPk(tenantId) },
        ProjectionExpression: 'sk',
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    )
    for (const item of out.Items ?? []) all.add(String(item.sk))
    startKey = out.LastEvaluatedKey
  } while (startKey)
  return all
}

/** Pattern 6: NotFound when the address is not suppressed. */
export function liftSuppression(tenantId: string, email: string, ifMatch?: number): Promise<void> {
  return deleteIfMatch(suppressionKey(tenantId, email), ifMatch, 'This address is not suppressed.')
}
