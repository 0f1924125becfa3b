/**
 * Search and filtered lists of contacts, read from the index items of store/contact-index.ts.
 *
 * Access patterns:
 *  2. Contacts newest (or oldest) first: Query gsi1 (gsi1pk = T#<t>#CONTACTS); the contacts come
 *     inline. `tag` and `updatedSince` alone ride on it, checked per page.
 *  6. `q`: Query pk = T#<t>#TOK#<bucket> AND begins_with(sk, <driving query word>) (consistent),
 *     then BatchGetItem (consistent) of the contacts; the other words (or, for an address-like
 *     query such as `somchai.jai`, the whole query against the addresses) and the filters are
 *     checked on them.
 *  7. Filter by owner / lifecycleStage / companyId: Query the owner, stage or membership partition
 *     (consistent, ULID order), BatchGetItem, the remaining filters checked on the contacts.
 * 17. Export: these patterns paged (100 a page) by the export routes and the export runner.
 *
 * Scale: token items spread over one partition per 2-character bucket (thousands of buckets for
 * Latin, Thai, CJK): a popular bucket (`ma`, `jo`) of a very large tenant holds hundreds of
 * thousands of items, fine for reads (a Query reads only the prefix range) and within the 1000 WCU
 * per partition that adaptive capacity gives a hot key; past that, a 3-character bucket, computed
 * the same way on both sides. Owner and stage partitions grow with the tenant too; a write-sharded
 * suffix (`#<n>`) is the remedy if one tenant imports faster than 1000 contacts/s into one stage.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Contact } from '@relay/contracts/contacts'
import { decodeCursor, documentClient, encodeCursor } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { Invalid } from '@relay/core/outcomes'
import {
  bucketOf,
  type ContactFilters,
  contactTokens,
  drivingToken,
  emailPrefixOf,
  matchesFilters,
  matchesQuery,
  queryTokens,
} from '../domain/search.js'
import { fromItem, getContacts } from './contacts.js'
import { type Item, table } from './table.js'

/** What GET /contacts asks for. */
export interface ContactSearch extends ContactFilters {
  q?: string | undefined
  sort?: '-createdAt' | 'createdAt' | undefined
  limit?: number | undefined
  cursor?: string | undefined
}

/** Driving queries per request: a page may come back short, with `nextCursor` to go on. */
const MAX_ROUNDS = 5

/**
 * Patterns 2, 6, 7: contacts matching `q` and every filter, a page at a time. One query "drives"
 * (the most selective: q, then companyId, owner, lifecycleStage, else the list); the others are
 * checked on the contacts read. A page may hold fewer than `limit` items when matches are sparse
 * (at most 5 driving queries per request), with `nextCursor` to go on.
 */
export async function searchContacts(tenantId: string, s: ContactSearch): Promise<Page<Contact>> {
  const limit = Math.min(100, Math.max(1, s.limit ?? 25))
  const words = s.q !== undefined ? queryTokens(s.q) : []
  const emailPrefix = s.q !== undefined ? emailPrefixOf(s.q) : undefined
  const forward = s.sort === 'createdAt'
  const name = table()
  let input: QueryCommandInput
  let contactsInline = false
  const token = drivingToken(words, emailPrefix)
  if (s.q !== undefined && !token) return { items: [] }
  if (token) {
    input = {
      TableName: name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'TOK', bucketOf(token)), ':p': token },
      ConsistentRead: true,
    }
  } else if (s.companyId ?? s.owner ?? s.lifecycleStage) {
    const [pk, prefix] = s.companyId
      ? [tenantKey(tenantId, 'COMPANY', s.companyId), 'MEMBER#']
      : s.owner
        ? [tenantKey(tenantId, 'OWNER', s.owner), '']
        : [tenantKey(tenantId, 'STAGE', String(s.lifecycleStage)), '']
    input = {
      TableName: name,
      KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :p)' : 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':p': prefix } : {}) },
      ConsistentRead: true,
      ScanIndexForward: forward,
    }
  } else {
    contactsInline = true
    input = {
      TableName: name,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACTS') },
      ScanIndexForward: forward,
    }
  }
  const keyOf = (i: Item): Item =>
    contactsInline ? { pk: i.pk, sk: i.sk, gsi1pk: i.gsi1pk, gsi1sk: i.gsi1sk } : { pk: i.pk, sk: i.sk }

  let startKey = decodeCursor(s.cursor, tenantId)
  const results: Contact[] = []
  const taken = new Set<string>()
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const out = await documentClient()
      .send(
        new QueryCommand({ ...input, Limit: limit, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      )
      .catch((err: unknown) => {
        if (startKey && (err as { name?: string }).name === 'ValidationException') {
          throw new Invalid([
            {
              field: 'cursor',
              message: 'The cursor does not belong to this listing',
              code: 'invalid_cursor',
            },
          ])
        }
        throw err
      })
    const driverItems = out.Items ?? []
    const contacts = contactsInline
      ? new Map(driverItems.map((i) => [String(i.id), fromItem(i)]))
      : await getContacts(
          tenantId,
          driverItems.map((i) => String(i.contactId)),
        )
    for (const [n, item] of driverItems.entries()) {
      const c = contacts.get(String(contactsInline ? item.id : item.contactId))
      if (!c || taken.has(c.id)) continue
      if (!matchesFilters(c, s)) continue
      if (words.length && !matchesQuery(contactTokens(c), words, emailPrefix)) continue
      taken.add(c.id)
      results.push(c)
      if (results.length === limit) {
        const more = n < driverItems.length - 1 || out.LastEvaluatedKey !== undefined
        const nextCursor = more ? encodeCursor(keyOf(item)) : undefined
        return { items: results, ...(nextCursor ? { nextCursor } : {}) }
      }
    }
    startKey = out.LastEvaluatedKey
    if (!startKey) return { items: results }
  }
  const nextCursor = encodeCursor(startKey)
  return { items: results, ...(nextCursor ? { nextCursor } : {}) }
}

/** Pattern 2 (for callers that only page). */
export async function listContacts(
  tenantId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Contact>> {
  return searchContacts(tenantId, page)
}
