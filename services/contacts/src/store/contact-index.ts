/**
 * The index items a contact owns, written and removed in the same transaction as the contact
 * itself, and what a cancelled contact transaction means.
 *
 * | item          | pk                             | sk                   | read by                          |
 * | email guard   | T#<t>#EMAIL#<folded address>   | EMAIL                | one contact per email; by email  |
 * | search token  | T#<t>#TOK#<first 2 chars>      | <token>#<contactId>  | store/search.ts (pattern 6)      |
 * | by owner      | T#<t>#OWNER#<ownerId>          | <contactId>          | store/search.ts (pattern 7)      |
 * | by stage      | T#<t>#STAGE#<lifecycleStage>   | <contactId>          | store/search.ts (pattern 7)      |
 * | match key     | T#<t>#MATCH#<name:…/phone:…>   | <contactId>          | store/duplicates.ts (pattern 12) |
 * | membership    | T#<t>#COMPANY#<companyId>      | MEMBER#<contactId>   | companies (patterns 9, 10)       |
 *
 * Each contact writes at most 16 tokens + 10 guards + 10 memberships + 2 facets + 5 match keys
 * (+ 10 company checks), so one update (old and new index items) stays inside the 100-item
 * transaction limit.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Contact } from '@relay/contracts/contacts'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { type DomainEvent, type TransactItem, transactWithEvents } from '@relay/core/outbox'
import { Invalid } from '@relay/core/outcomes'
import { matchKeys } from '../domain/dedupe.js'
import { EmailTaken } from '../domain/outcomes.js'
import { bucketOf, contactTokens, fold } from '../domain/search.js'
import { companyKey, emailGuardKey, type Item, table } from './table.js'

/**
 * The index items a contact version owns: email guards, search tokens, owner and stage entries,
 * match keys, company memberships. Keys are unique within the list.
 */
export function indexItems(tenantId: string, c: Contact): Item[] {
  const items: Item[] = [
    ...c.emails.map((e) => ({
      ...emailGuardKey(tenantId, e.address),
      kind: 'email',
      contactId: c.id,
      address: e.address,
    })),
    ...contactTokens(c).map((token) => ({
      pk: tenantKey(tenantId, 'TOK', bucketOf(token)),
      sk: `${token}#${c.id}`,
      kind: 'token',
      contactId: c.id,
    })),
    { pk: tenantKey(tenantId, 'OWNER', c.ownerId), sk: c.id, kind: 'by-owner', contactId: c.id },
    ...(c.lifecycleStage
      ? [{ pk: tenantKey(tenantId, 'STAGE', c.lifecycleStage), sk: c.id, kind: 'by-stage', contactId: c.id }]
      : []),
    ...matchKeys(c).map((key) => ({
      pk: tenantKey(tenantId, 'MATCH', key),
      sk: c.id,
      kind: 'match',
      contactId: c.id,
    })),
    ...(c.companies ?? []).map((l) => ({
      pk: tenantKey(tenantId, 'COMPANY', l.companyId),
      sk: `MEMBER#${c.id}`,
      kind: 'member',
      contactId: c.id,
      ...(l.role ? { role: l.role } : {}),
    })),
  ]
  const seen = new Set<string>()
  return items.filter((i) => {
    const k = `${i.pk}\u0000${i.sk}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}

/** Why one item of a contact transaction is there, to explain a cancellation. */
export type Meaning =
  | { kind: 'contact' }
  | { kind: 'email'; address: string; index: number }
  | { kind: 'company'; companyId: string; index: number }
  | { kind: 'other' }

/** A contact write's items with what each one means. */
export interface Plan {
  items: TransactItem[]
  meanings: Meaning[]
}

/** The index items that differ between two versions of a contact (either absent), as writes. */
export function indexDiff(tenantId: string, before: Contact | undefined, after: Contact | undefined): Plan {
  const name = table()
  const key = (i: Item) => `${i.pk}\u0000${i.sk}`
  const old = new Map((before ? indexItems(tenantId, before) : []).map((i) => [key(i), i]))
  const next = after ? indexItems(tenantId, after) : []
  const nextKeys = new Set(next.map(key))
  const plan: Plan = { items: [], meanings: [] }
  for (const [k, i] of old) {
    if (nextKeys.has(k)) continue
    plan.items.push({ Delete: { TableName: name, Key: { pk: i.pk, sk: i.sk } } })
    plan.meanings.push({ kind: 'other' })
  }
  for (const i of next) {
    const prev = old.get(key(i))
    if (prev && JSON.stringify(prev) === JSON.stringify(i)) continue
    if (i.kind === 'email') {
      // The guard: free, or already this contact's.
      plan.items.push({
        Put: {
          TableName: name,
          Item: i,
          ConditionExpression: 'attribute_not_exists(pk) OR contactId = :me',
          ExpressionAttributeValues: { ':me': i.contactId },
        },
      })
      const index = after?.emails.findIndex((e) => fold(e.address) === fold(String(i.address))) ?? 0
      plan.meanings.push({ kind: 'email', address: String(i.address), index })
    } else {
      plan.items.push({ Put: { TableName: name, Item: i } })
      plan.meanings.push({ kind: 'other' })
    }
  }
  // A newly linked company must exist (checked in the same transaction, not read before), and the
  // link bumps its `linkSeq` so that a company delete racing with it fails its condition (pattern 9).
  const had = new Set((before?.companies ?? []).map((l) => l.companyId))
  ;(after?.companies ?? []).forEach((l, index) => {
    if (had.has(l.companyId)) return
    plan.items.push({
      Update: {
        TableName: name,
        Key: companyKey(tenantId, l.companyId),
        UpdateExpression: 'ADD linkSeq :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      },
    })
    plan.meanings.push({ kind: 'company', companyId: l.companyId, index })
  })
  return plan
}

/** The cancellation reasons of a failed transaction, if it was one. */
function cancellationCodes(err: unknown): (string | undefined)[] | undefined {
  if ((err as { name?: string })?.name !== 'TransactionCanceledException') return undefined
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons
  return Array.isArray(reasons) ? reasons.map((r) => r?.Code) : undefined
}

/**
 * Turns a cancelled contact transaction into what it means: an email owned by another contact →
 * {@link EmailTaken} (with `existingId`); a linked company that does not exist → `Invalid` naming
 * it. Anything else (the contact's own condition) is rethrown for the caller to explain.
 */
async function explainCancellation(
  tenantId: string,
  err: unknown,
  meanings: readonly Meaning[],
): Promise<never> {
  const codes = cancellationCodes(err)
  if (codes) {
    const failed = meanings.filter((_, i) => codes[i] === 'ConditionalCheckFailed')
    const company = failed.filter((m) => m.kind === 'company')
    if (company.length) {
      throw new Invalid(
        company.map((m) => ({
          field: `companies.${m.index}.companyId`,
          code: 'unknown_company',
          message: 'No company with this id',
        })),
      )
    }
    const email = failed.find((m) => m.kind === 'email')
    if (email && email.kind === 'email') {
      const guard = await documentClient().send(
        new GetCommand({
          TableName: table(),
          Key: emailGuardKey(tenantId, email.address),
          ConsistentRead: true,
        }),
      )
      const existingId = guard.Item?.contactId as string | undefined
      throw new EmailTaken(email.address, `emails.${email.index}.address`, existingId)
    }
  }
  throw err
}

/** One contact transaction: its head items (the contact, an entry...), the index plan, the events. */
export async function runContactWrite(
  tenantId: string,
  head: { item: TransactItem; meaning: Meaning }[],
  plan: Plan,
  events: DomainEvent[],
): Promise<void> {
  const items = [...head.map((h) => h.item), ...plan.items]
  const meanings = [...head.map((h) => h.meaning), ...plan.meanings]
  try {
    await transactWithEvents(table(), items, events)
  } catch (err) {
    await explainCancellation(tenantId, err, meanings)
  }
}
