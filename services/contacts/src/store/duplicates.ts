/**
 * Likely duplicates: `T#<t>#DUPS` / `<idA>#<idB>` (A < B, score), suggestions found through the
 * match-key items (`T#<t>#MATCH#<key>` / `<contactId>`, written with the contact,
 * store/contact-index.ts) and scored by domain/dedupe.ts.
 *
 * Access patterns:
 * 12w. After a contact write: Query its blocking-key partitions (consistent, in parallel, ≤ 20 each),
 *      BatchGetItem the contacts found, score each pair and BatchWrite a pair item per likely duplicate.
 * 12r. GET /contacts/duplicates: Query T#<t>#DUPS, keep the pairs whose contacts still exist and still
 *      score (BatchGetItem): a merged, deleted or edited contact drops out without a cleanup.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Contact } from '@relay/contracts/contacts'
import { documentClient, queryPage } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { Logger } from '@relay/core/log'
import { type DuplicateScore, duplicateScore, isLikelyDuplicate, matchKeys } from '../domain/dedupe.js'
import { getContacts } from './contacts.js'
import { batchWrite, table } from './table.js'

/** Contacts read per blocking key: enough for a real duplicate, bounded for a common name. */
const DUPS_LIMIT_PER_KEY = 20

/**
 * Pattern 12w: scores every other contact filed under one of `contact`'s blocking keys and Puts a
 * pair item for each likely duplicate. Runs after the contact's own write; the pairs are
 * suggestions, scored again on read.
 */
export async function recordDuplicates(tenantId: string, contact: Contact): Promise<number> {
  const pages = await Promise.all(
    matchKeys(contact).map((key) =>
      documentClient().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'MATCH', key) },
          ConsistentRead: true,
          Limit: DUPS_LIMIT_PER_KEY,
        }),
      ),
    ),
  )
  const ids = new Set(pages.flatMap((p) => (p.Items ?? []).map((i) => String(i.contactId))))
  ids.delete(contact.id)
  if (ids.size === 0) return 0
  const others = await getContacts(tenantId, [...ids])
  const pairs = [...others.values()].flatMap((other) => {
    const match = duplicateScore(contact, other)
    if (!isLikelyDuplicate(match)) return []
    const [a, b] = [contact.id, other.id].sort() as [string, string]
    return [{ pk: tenantKey(tenantId, 'DUPS'), sk: `${a}#${b}`, kind: 'dup', a, b, score: match.score }]
  })
  await batchWrite(pairs.map((Item) => ({ PutRequest: { Item } })))
  return pairs.length
}

/**
 * Pattern 12w after a committed contact write: a failure is logged, not answered (the pair list is
 * a suggestion, and the contact's next write flags again).
 */
export async function flagDuplicates(tenantId: string, contact: Contact, logger: Logger): Promise<void> {
  try {
    await recordDuplicates(tenantId, contact)
  } catch (err) {
    logger.warn('Could not flag duplicates', { contactId: contact.id, error: err as Error })
  }
}

/** A likely duplicate pair as GET /contacts/duplicates lists it. */
export interface DuplicatePair extends DuplicateScore {
  contacts: [Contact, Contact]
}

/** Pattern 12r: pairs whose contacts both exist and still score as duplicates. */
export async function listDuplicates(
  tenantId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<DuplicatePair>> {
  const result = await queryPage(
    {
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'DUPS') },
      ConsistentRead: true,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    },
  )
  const contacts = await getContacts(
    tenantId,
    result.items.flatMap((i) => [String(i.a), String(i.b)]),
  )
  const items = result.items.flatMap((i): DuplicatePair[] => {
    const a = contacts.get(String(i.a))
    const b = contacts.get(String(i.b))
    if (!a || !b) return []
    const match = duplicateScore(a, b)
    return isLikelyDuplicate(match) ? [{ contacts: [a, b], ...match }] : []
  })
  return { items, ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}) }
}
