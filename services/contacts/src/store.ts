/**
 * All DynamoDB access of the contacts service (table `main`, one table, no Scan anywhere).
 *
 * Items (every key starts with the tenant from the token, so another tenant's id is simply absent):
 * | item            | pk                              | sk                       | notes                                  |
 * | contact         | T#<t>#CONTACT#<id>              | CONTACT                  | gsi1: T#<t>#CONTACTS / T#<t>#CONTACT#<id> |
 * | timeline entry  | T#<t>#CONTACT#<id>              | TL#<ulid>                | ulid minted for when it happened        |
 * | email guard     | T#<t>#EMAIL#<folded address>    | EMAIL                    | contactId; one contact per email        |
 * | search token    | T#<t>#TOK#<first 2 chars>       | <token>#<contactId>      | contactId                               |
 * | by owner        | T#<t>#OWNER#<ownerId>           | <contactId>              |                                         |
 * | by stage        | T#<t>#STAGE#<lifecycleStage>    | <contactId>              |                                         |
 * | company         | T#<t>#COMPANY#<id>              | COMPANY                  | gsi1: T#<t>#COMPANIES / T#<t>#COMPANY#<id> |
 * | membership      | T#<t>#COMPANY#<companyId>       | MEMBER#<contactId>       | role                                    |
 * | match key       | T#<t>#MATCH#<name:…/phone:…>    | <contactId>              | blocking key of the duplicate check     |
 * | duplicate pair  | T#<t>#DUPS                      | <idA>#<idB> (A < B)      | score; a suggestion, re-scored on read  |
 * | import job      | T#<t>#IMPORT#<id>               | IMPORT                   | the job, its counts, nextChunk; ttl     |
 * | import rows     | T#<t>#IMPORT#<id>               | CHUNK#<nnnnn>            | ≤ 500 parsed rows; deleted when run; ttl |
 * | export job      | T#<t>#EXPORT#<id>               | EXPORT                   | the job, its filters, attempts; ttl 7 d |
 * | field settings  | T#<t>#SETTINGS                  | CONTACT_FIELDS           | custom field definitions, version       |
 * | outbox / idemp. | T#<t>#OUTBOX#<id> / IDEMP#<sha> | OUTBOX / IDEMP           | ttl                                     |
 *
 * Access patterns:
 *  1. Contact by id: GetItem (consistent; its version feeds If-Match).
 *  2. Contacts newest first: Query gsi1 (gsi1pk = T#<t>#CONTACTS), backwards.
 *  3. Create a contact: ONE TransactWriteItems = contact Put (attribute_not_exists) + one guard Put per
 *     email (attribute_not_exists: the database, not a read, decides who owns an address) + token,
 *     owner, stage and membership Puts + a ConditionCheck per linked company + timeline entry + outbox.
 *  4. Update: the same transaction shape, contact Put at the version read, and only the index items
 *     that differ deleted/put (so guards move with the emails, in the same transaction).
 *  5. Delete: contact Delete at the version read + every index item deleted (emails freed) + outbox.
 *  6. Search `q`: Query pk = T#<t>#TOK#<bucket> AND begins_with(sk, <longest query word>)
 *     (consistent), then BatchGetItem (consistent) of the contacts, other words and filters checked on them.
 *  7. Filter by owner / lifecycleStage / companyId: Query the owner, stage or membership partition
 *     (consistent, newest first by ULID), BatchGetItem, remaining filters checked on the contacts.
 *     `tag` and `updatedSince` alone ride on pattern 2 with the check done per page.
 *  8. Timeline: Query pk = contact, begins_with(sk, 'TL#'), backwards (consistent).
 *  9. Company by id / list / create / update: as 1-4 with gsi1 = T#<t>#COMPANIES. Delete: GetItem
 *     (its version and `linkSeq`), Query one membership, Delete conditioned on both; every new link
 *     ADDs 1 to the company's `linkSeq` in the contact's transaction (also its existence check).
 * 10. Contacts of a company: Query pk = company, begins_with(sk, 'MEMBER#') + BatchGetItem.
 * 11. Custom field settings: GetItem / Put at version (consistent).
 * 12. Duplicates: after a contact write, Query its blocking-key partitions (consistent, in parallel),
 *     BatchGetItem the contacts found, score each pair (domain/dedupe.ts) and BatchWrite a pair item
 *     per likely duplicate; GET /contacts/duplicates Queries T#<t>#DUPS and keeps the pairs whose
 *     contacts still exist and still score (BatchGetItem).
 * 13. Merge: ONE transaction = target Put at its version + source Delete at its version + both
 *     contacts' index changes (the source's email guards handed over, not deleted and re-put) + outbox;
 *     then the source's timeline entries are copied over (idempotent, same ids).
 * 14. Erase: the timeline entries deleted (BatchWriteItem, idempotent), then pattern 5 with Contact.Erased.
 * 15. CSV import job: BatchWrite the rows as chunk items (500 rows each), then Put job + outbox
 *     ContactImport.Requested in one transaction; the service's own subscriber runs one chunk per
 *     event and closes it (job counts at nextChunk, chunk deleted, next ChunkRequested) in one
 *     transaction; per row as pattern 3 (deterministic ids, so a retried chunk re-finds
 *     its rows), or pattern 4 when its email exists (upsert). GET: GetItem of the job.
 * 16. Contact by email (Email.Unsubscribed without contactId): GetItem of the email guard (consistent).
 * 17. Export: pattern 2/6/7 paged (100 a page) up to 10 000 rows / ~4.5 MB / 200 pages per answer.
 * 18. Upload import job: Put the job (`awaiting_upload`, no event yet). The S3 trigger claims it
 *     (UpdateItem ADD attempts, condition `awaiting_upload`), BatchWrites chunk items as the file
 *     streams in (pattern 15's items), then ONE transaction: job `queued` (same condition) + outbox
 *     ContactImport.Requested; pattern 15's runner does the rest. A file that cannot be imported:
 *     UpdateItem job `failed` (same condition) and its chunk items deleted.
 * 19. Export job: ONE transaction = job Put + outbox ContactExport.Requested; the runner claims it
 *     (UpdateItem ADD attempts, status `queued`|`running`), pages pattern 17's search into S3, then
 *     ONE transaction = job `completed` (condition `running`) + outbox ContactExport.Completed + the
 *     event's dedupe record. GET: GetItem of the job.
 *
 * Scale (a tenant with millions of contacts): contact, timeline, guard items spread over as many
 * partitions as there are contacts/emails. Token items spread over one partition per 2-character
 * bucket (thousands of buckets for Latin, Thai, CJK): a popular bucket (`ma`, `jo`) for a very large
 * tenant holds hundreds of thousands of items, fine for reads (a Query reads only the prefix range)
 * and within the 1000 WCU per partition that adaptive capacity gives a hot key; past that, the next
 * step is a 3-character bucket, computed the same way on both sides. Owner and stage partitions grow
 * with the tenant too; a write-sharded suffix (`#<n>`) is the remedy if one tenant imports faster than
 * 1000 contacts/s into one stage. Each contact writes at most 16 tokens + 10 guards + 10 memberships +
 * 2 facets + 5 match keys (+ 10 company checks), so one update (old and new index items) stays
 * inside the 100-item transaction limit.
 * gsi1 (pattern 2) is eventually consistent in AWS; the filters that must read their own writes use
 * base-table partitions (6, 7, 8, 10).
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Company } from '@relay/contracts/companies'
import { COMPANY_EVENT } from '@relay/contracts/companies'
import type { ExportJob } from '@relay/contracts/contact-exports'
import type { ImportJob, ImportMapping } from '@relay/contracts/contact-imports'
// Constants from their schema-free module (see contracts/src/contact-jobs.ts): no schemas bundled.
import { EXPORT_JOB_EVENT, EXPORT_JOB_LIMITS, IMPORT_EVENT } from '@relay/contracts/contact-jobs'
import {
  CONTACT_EVENT,
  CONTACTS_SOURCE,
  type ConsentRecord,
  type Contact,
  type ContactFieldDef,
  type ContactFields,
} from '@relay/contracts/contacts'
import { INTERACTION_EVENT, type Interaction, type TimelineEntry } from '@relay/contracts/interactions'
import {
  decodeCursor,
  documentClient,
  encodeCursor,
  isConditionalCheckFailed,
  queryPage,
  tableName,
} from '@relay/core/ddb'
import { badRequest, conflict, HttpError } from '@relay/core/errors'
import { newId } from '@relay/core/ids'
import { tenantKey } from '@relay/core/keys'
import {
  type DomainEvent,
  MAX_TRANSACT_ITEMS,
  newEvent,
  outboxPut,
  type TransactItem,
  transactWithEvents,
} from '@relay/core/outbox'
import { type ContactChanges, type FieldChange, withDefaults } from './domain/contact.js'
import { type DuplicateScore, duplicateScore, isLikelyDuplicate, matchKeys } from './domain/dedupe.js'
import {
  bucketOf,
  type ContactFilters,
  contactTokens,
  drivingToken,
  fold,
  matchesFilters,
  matchesQuery,
  queryTokens,
} from './domain/search.js'

const SERVICE = 'contacts'
const table = () => tableName(SERVICE, 'main')

type Item = Record<string, unknown>

/** Primary key of a contact. */
export function contactKey(tenantId: string, id: string): { pk: string; sk: string } {
  return { pk: tenantKey(tenantId, 'CONTACT', id), sk: 'CONTACT' }
}

/** Primary key of a company. */
export function companyKey(tenantId: string, id: string): { pk: string; sk: string } {
  return { pk: tenantKey(tenantId, 'COMPANY', id), sk: 'COMPANY' }
}

/** Key of the guard that reserves `address` for one contact of the tenant. */
export function emailGuardKey(tenantId: string, address: string): { pk: string; sk: string } {
  return { pk: tenantKey(tenantId, 'EMAIL', fold(address)), sk: 'EMAIL' }
}

/** The contact item as stored (key, gsi1, attributes); with {@link indexItems} it is all a contact writes. */
export function toItem(tenantId: string, contact: Contact): Item {
  return {
    ...contactKey(tenantId, contact.id),
    gsi1pk: tenantKey(tenantId, 'CONTACTS'),
    gsi1sk: tenantKey(tenantId, 'CONTACT', contact.id),
    kind: 'contact',
    ...contact,
  }
}

/** The contact of an item: storage attributes stripped. */
export function fromItem(item: Item): Contact {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, kind: _kind, ...contact } = item
  return withDefaults(contact as Contact)
}

/**
 * The index items a contact version owns: email guards, search tokens, owner and stage entries,
 * company memberships. Keys are unique within the list.
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
type Meaning =
  | { kind: 'contact' }
  | { kind: 'email'; address: string; index: number }
  | { kind: 'company'; companyId: string; index: number }
  | { kind: 'other' }

/** A contact write's items with what each one means. */
interface Plan {
  items: TransactItem[]
  meanings: Meaning[]
}

function indexDiff(
  tenantId: string,
  name: string,
  before: Contact | undefined,
  after: Contact | undefined,
): Plan {
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
 * Turns a cancelled contact transaction into the answer it deserves: an email owned by another
 * contact → 409 with `existingId`; a linked company that does not exist → 400 naming it. Anything
 * else (the contact's own condition) is rethrown for the caller to explain.
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
      throw badRequest(
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
      throw conflict(`Another contact already has the email ${email.address}.`, {
        ...(existingId ? { existingId } : {}),
        field: `emails.${email.index}.address`,
      })
    }
  }
  throw err
}

function timelinePut(tenantId: string, name: string, contactId: string, entry: TimelineEntry): TransactItem {
  return {
    Put: {
      TableName: name,
      Item: {
        pk: tenantKey(tenantId, 'CONTACT', contactId),
        sk: `TL#${entry.id}`,
        kind: 'timeline',
        entry,
      },
    },
  }
}

async function runContactWrite(
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

/** Access pattern 1. Undefined when absent (or another tenant's). */
export async function getContact(tenantId: string, id: string): Promise<Contact | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? fromItem(out.Item) : undefined
}

/** Contacts by id (consistent BatchGetItem, unprocessed keys retried); absent ids are left out. */
export async function getContacts(tenantId: string, ids: readonly string[]): Promise<Map<string, Contact>> {
  const found = new Map<string, Contact>()
  const unique = [...new Set(ids)]
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, unknown>[] | undefined = unique
      .slice(i, i + 100)
      .map((id) => contactKey(tenantId, id))
    for (let attempt = 0; keys?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
      const out = await documentClient().send(
        new BatchGetCommand({ RequestItems: { [table()]: { Keys: keys, ConsistentRead: true } } }),
      )
      for (const item of out.Responses?.[table()] ?? []) {
        const c = fromItem(item)
        found.set(c.id, c)
      }
      keys = out.UnprocessedKeys?.[table()]?.Keys as Record<string, unknown>[] | undefined
    }
    if (keys?.length) throw new Error('BatchGetItem left keys unprocessed after retries')
  }
  return found
}

/** What GET /contacts asks for. */
export interface ContactSearch extends ContactFilters {
  q?: string | undefined
  sort?: '-createdAt' | 'createdAt' | undefined
  limit?: number | undefined
  cursor?: string | undefined
}

const MAX_ROUNDS = 5

/**
 * Access patterns 2, 6, 7: contacts matching `q` and every filter, a page at a time. One query
 * "drives" (the most selective: q, then companyId, owner, lifecycleStage, else the list); the others
 * are checked on the contacts read. A page may hold fewer than `limit` items when matches are sparse
 * (at most 5 driving queries per request), with `nextCursor` to go on.
 */
export async function searchContacts(tenantId: string, s: ContactSearch): Promise<Page<Contact>> {
  const limit = Math.min(100, Math.max(1, s.limit ?? 25))
  const words = s.q !== undefined ? queryTokens(s.q) : []
  const forward = s.sort === 'createdAt'
  const name = table()
  let input: QueryCommandInput
  let contactsInline = false
  const token = drivingToken(words)
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
          throw badRequest([
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
      if (words.length && !matchesQuery(contactTokens(c), words)) continue
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

/** Access pattern 2 (kept for callers that only page). */
export async function listContacts(
  tenantId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Contact>> {
  return searchContacts(tenantId, page)
}

const changeEntry = (
  kind: TimelineEntry['kind'],
  actorId: string,
  at: string,
  changes?: object,
): TimelineEntry => ({
  id: newId(),
  kind,
  occurredAt: at,
  actorId,
  ...(changes ? { changes: changes as Record<string, unknown> } : {}),
})

/**
 * Access pattern 3: the contact, its guards and index items, a `created` timeline entry and
 * `Contact.Created` in one transaction. An email owned by another contact → 409 with `existingId`;
 * an unknown company → 400; the same id twice → ConditionalCheckFailed.
 */
export async function insertContact(
  tenantId: string,
  contact: Contact,
  correlationId: string,
  actorId = 'system',
): Promise<void> {
  const name = table()
  await runContactWrite(
    tenantId,
    [
      {
        item: {
          Put: {
            TableName: name,
            Item: toItem(tenantId, contact),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        meaning: { kind: 'contact' },
      },
      {
        item: timelinePut(tenantId, name, contact.id, changeEntry('created', actorId, contact.createdAt)),
        meaning: { kind: 'other' },
      },
    ],
    indexDiff(tenantId, name, undefined, contact),
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: CONTACT_EVENT.created,
        tenantId,
        data: contact,
        correlationId,
      }),
    ],
  )
}

/** Optimistic concurrency: the write only lands on the version the caller read. */
const stillAtVersion = (expected: number) => ({
  ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
  ExpressionAttributeValues: { ':expected': expected },
})

/** Extra things a contact replacement carries: a timeline entry and events. */
export interface ReplaceOptions {
  actorId?: string
  /** Timeline entry written with the change; default an `updated` entry with the changes. */
  timeline?: TimelineEntry
  /** Events instead of the default `Contact.Updated`. */
  events?: DomainEvent[]
  /** Further items of the same transaction (e.g. an interaction's timeline entry). */
  extra?: TransactItem[]
}

/**
 * Access pattern 4: replaces `before` by `after` if it is still at `before.version`, moving the
 * index items that differ (email guards included) in the same transaction, with `Contact.Updated`.
 * A ConditionalCheckFailed means someone else changed or deleted it meanwhile.
 */
export async function replaceContact(
  tenantId: string,
  before: Contact,
  after: Contact,
  changes: ContactChanges,
  correlationId: string,
  options: ReplaceOptions = {},
): Promise<void> {
  const name = table()
  const actorId = options.actorId ?? 'system'
  await runContactWrite(
    tenantId,
    [
      {
        item: { Put: { TableName: name, Item: toItem(tenantId, after), ...stillAtVersion(before.version) } },
        meaning: { kind: 'contact' },
      },
      {
        item: timelinePut(
          tenantId,
          name,
          after.id,
          options.timeline ?? changeEntry('updated', actorId, after.updatedAt, changes),
        ),
        meaning: { kind: 'other' },
      },
      ...(options.extra ?? []).map((item) => ({ item, meaning: { kind: 'other' } as Meaning })),
    ],
    indexDiff(tenantId, name, before, after),
    options.events ?? [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: CONTACT_EVENT.updated,
        tenantId,
        data: { id: after.id, version: after.version, changes },
        correlationId,
      }),
    ],
  )
}

/**
 * Access pattern 5: deletes the contact if it is still at `contact.version`, with all its index items
 * (its emails become free), and `Contact.Deleted` (+ `Contact.Erased` when `erased`). Timeline
 * entries stay behind, unreachable once the contact is gone (erasure removes them first).
 */
export async function removeContact(
  tenantId: string,
  contact: Contact,
  correlationId: string,
  erased = false,
): Promise<void> {
  const name = table()
  const data = { id: contact.id, version: contact.version }
  await runContactWrite(
    tenantId,
    [
      {
        item: {
          Delete: {
            TableName: name,
            Key: contactKey(tenantId, contact.id),
            ...stillAtVersion(contact.version),
          },
        },
        meaning: { kind: 'contact' },
      },
    ],
    indexDiff(tenantId, name, contact, undefined),
    [CONTACT_EVENT.deleted, ...(erased ? [CONTACT_EVENT.erased] : [])].map((detailType) =>
      newEvent({ source: CONTACTS_SOURCE, detailType, tenantId, data, correlationId }),
    ),
  )
}

/**
 * Logs an interaction: its timeline entry and `Interaction.Logged`, with the contact's existence
 * checked in the same transaction. A purchase also replaces the contact (`updated`, at its version)
 * so purchases and tier move together.
 */
export async function insertInteraction(
  tenantId: string,
  contact: Contact,
  interaction: Interaction,
  correlationId: string,
  purchase?: { after: Contact; changes: ContactChanges },
): Promise<void> {
  const name = table()
  const entry: TimelineEntry = {
    id: interaction.id,
    kind: 'interaction',
    occurredAt: interaction.occurredAt,
    actorId: interaction.loggedBy,
    interaction,
  }
  const logged = newEvent({
    source: CONTACTS_SOURCE,
    detailType: INTERACTION_EVENT.logged,
    tenantId,
    data: interaction,
    correlationId,
  })
  const timelineItem = timelinePut(tenantId, name, contact.id, entry)
  if (timelineItem.Put) timelineItem.Put.ConditionExpression = 'attribute_not_exists(pk)'
  if (!purchase) {
    await transactWithEvents(
      name,
      [
        {
          ConditionCheck: {
            TableName: name,
            Key: contactKey(tenantId, contact.id),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        timelineItem,
      ],
      [logged],
    )
    return
  }
  await replaceContact(tenantId, contact, purchase.after, purchase.changes, correlationId, {
    actorId: interaction.loggedBy,
    extra: [timelineItem],
    events: [
      logged,
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: CONTACT_EVENT.updated,
        tenantId,
        data: { id: purchase.after.id, version: purchase.after.version, changes: purchase.changes },
        correlationId,
      }),
    ],
  })
}

/** One interaction of a contact, or undefined. */
export async function getInteraction(
  tenantId: string,
  contactId: string,
  interactionId: string,
): Promise<Interaction | undefined> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: { pk: tenantKey(tenantId, 'CONTACT', contactId), sk: `TL#${interactionId}` },
      ConsistentRead: true,
    }),
  )
  return out.Item?.kind === 'timeline' ? (out.Item.entry?.interaction as Interaction | undefined) : undefined
}

/** Access pattern 8: a contact's timeline, newest first. */
export async function listTimeline(
  tenantId: string,
  contactId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<TimelineEntry>> {
  const result = await queryPage(
    {
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACT', contactId), ':tl': 'TL#' },
      ScanIndexForward: false,
      ConsistentRead: true,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    },
  )
  return {
    items: result.items.map((i) => i.entry as TimelineEntry),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** Records a channel's consent: the contact at its version, a `consent` entry, `Contact.ConsentChanged`. */
export async function recordConsent(
  tenantId: string,
  before: Contact,
  after: Contact,
  change: { channel: string; before: ConsentRecord | undefined; after: ConsentRecord },
  correlationId: string,
  actorId: string,
): Promise<void> {
  await replaceContact(tenantId, before, after, {}, correlationId, {
    actorId,
    timeline: changeEntry('consent', actorId, after.updatedAt, {
      consent: {
        channel: change.channel,
        ...(change.before ? { before: change.before } : {}),
        after: change.after,
      },
    }),
    events: [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: CONTACT_EVENT.consentChanged,
        tenantId,
        data: {
          id: after.id,
          version: after.version,
          channel: change.channel,
          ...(change.before ? { before: change.before } : {}),
          after: change.after,
        },
        correlationId,
      }),
    ],
  })
}

// ---------------------------------------------------------------------------------------------
// Companies

function companyItem(tenantId: string, c: Company): Item {
  return {
    ...companyKey(tenantId, c.id),
    gsi1pk: tenantKey(tenantId, 'COMPANIES'),
    gsi1sk: tenantKey(tenantId, 'COMPANY', c.id),
    kind: 'company',
    ...c,
  }
}

function companyOf(item: Item): Company {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, kind: _kind, linkSeq: _seq, ...company } = item
  return company as Company
}

/** A company by id (consistent), or undefined. */
export async function getCompany(tenantId: string, id: string): Promise<Company | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: companyKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? companyOf(out.Item) : undefined
}

/** A tenant's companies, newest first. */
export async function listCompanies(
  tenantId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Company>> {
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'COMPANIES') },
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    },
  )
  return {
    items: result.items.map(companyOf),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** Creates a company with `Company.Created`. */
export async function insertCompany(
  tenantId: string,
  company: Company,
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [
      {
        Put: {
          TableName: name,
          Item: companyItem(tenantId, company),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: COMPANY_EVENT.created,
        tenantId,
        data: company,
        correlationId,
      }),
    ],
  )
}

/** Replaces a company still at `expectedVersion`, with `Company.Updated`. */
export async function replaceCompany(
  tenantId: string,
  company: Company,
  expectedVersion: number,
  changes: Record<string, FieldChange>,
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [{ Put: { TableName: name, Item: companyItem(tenantId, company), ...stillAtVersion(expectedVersion) } }],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: COMPANY_EVENT.updated,
        tenantId,
        data: { id: company.id, version: company.version, changes },
        correlationId,
      }),
    ],
  )
}

/**
 * Access pattern 9 (delete): deletes a company still at `expectedVersion` that no contact belongs to,
 * with `Company.Deleted`; `'has-members'` (nothing written) while one does. The membership Query
 * and the Delete are made atomic by `linkSeq`: every new link bumps it in its own transaction, and
 * the Delete requires the value read before the Query, so a link landing in between fails the
 * Delete (ConditionalCheckFailed) instead of leaving a contact linked to a deleted company.
 */
export async function removeCompanyIfUnused(
  tenantId: string,
  id: string,
  expectedVersion: number,
  correlationId: string,
): Promise<'deleted' | 'has-members'> {
  const name = table()
  const read = await documentClient().send(
    new GetCommand({ TableName: name, Key: companyKey(tenantId, id), ConsistentRead: true }),
  )
  const linkSeq = read.Item?.linkSeq as number | undefined
  const members = await documentClient().send(
    new QueryCommand({
      TableName: name,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'COMPANY', id), ':m': 'MEMBER#' },
      Limit: 1,
      ConsistentRead: true,
    }),
  )
  if ((members.Items ?? []).length > 0) return 'has-members'
  const atVersion = stillAtVersion(expectedVersion)
  await transactWithEvents(
    name,
    [
      {
        Delete: {
          TableName: name,
          Key: companyKey(tenantId, id),
          ConditionExpression: `${atVersion.ConditionExpression} AND ${
            linkSeq === undefined ? 'attribute_not_exists(linkSeq)' : 'linkSeq = :seq'
          }`,
          ExpressionAttributeNames: atVersion.ExpressionAttributeNames,
          ExpressionAttributeValues: {
            ...atVersion.ExpressionAttributeValues,
            ...(linkSeq === undefined ? {} : { ':seq': linkSeq }),
          },
        },
      },
    ],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: COMPANY_EVENT.deleted,
        tenantId,
        data: { id, version: expectedVersion },
        correlationId,
      }),
    ],
  )
  return 'deleted'
}

// ---------------------------------------------------------------------------------------------
// Custom field settings

const settingsKey = (tenantId: string) => ({ pk: tenantKey(tenantId, 'SETTINGS'), sk: 'CONTACT_FIELDS' })

/** The tenant's custom field definitions and default region (version 0 before the first PUT). */
export async function getContactFields(tenantId: string): Promise<ContactFields> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: settingsKey(tenantId), ConsistentRead: true }),
  )
  if (!out.Item) return { fields: [], version: 0 }
  const { pk: _p, sk: _s, kind: _k, ...settings } = out.Item
  return settings as ContactFields
}

/** Replaces the settings if still at `expectedVersion` (0: none yet). */
export async function putContactFields(
  tenantId: string,
  settings: {
    fields: ContactFieldDef[]
    defaultRegion?: string | undefined
    version: number
    updatedAt: string
  },
  expectedVersion: number,
): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: { ...settingsKey(tenantId), kind: 'settings', ...settings },
      ...(expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
    }),
  )
}

// ---------------------------------------------------------------------------------------------
// Duplicates, merge, erasure, export

const DUPS_LIMIT_PER_KEY = 20

/**
 * Access pattern 12 (write side): scores every other contact filed under one of `contact`'s
 * blocking keys (the key Queries run at once) and Puts a pair item for each likely duplicate. Runs
 * after the contact's own write; the pairs are suggestions, scored again on read.
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

/** A likely duplicate pair as GET /contacts/duplicates lists it. */
export interface DuplicatePair extends DuplicateScore {
  contacts: [Contact, Contact]
}

/** Access pattern 12 (read side): pairs whose contacts both exist and still score as duplicates. */
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

/** Every timeline item key of a contact (consistent, paged through). */
async function timelineKeys(tenantId: string, contactId: string): Promise<Item[]> {
  const items: Item[] = []
  let start: Record<string, unknown> | undefined
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tl)',
        ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACT', contactId), ':tl': 'TL#' },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    )
    items.push(...(out.Items ?? []))
    start = out.LastEvaluatedKey
  } while (start)
  return items
}

/** BatchWriteItem in chunks of 25, unprocessed items retried. */
async function batchWrite(requests: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < requests.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = requests.slice(i, i + 25)
    for (let attempt = 0; pending?.length && attempt < 8; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt))
      const out = await documentClient().send(
        new BatchWriteCommand({ RequestItems: { [table()]: pending as never } }),
      )
      pending = out.UnprocessedItems?.[table()] as Record<string, unknown>[] | undefined
    }
    if (pending?.length) throw new Error('BatchWriteItem left items unprocessed after retries')
  }
}

/** The whole timeline of a contact, newest first (for exports). */
export async function fullTimeline(tenantId: string, contactId: string): Promise<TimelineEntry[]> {
  return (await timelineKeys(tenantId, contactId)).map((i) => i.entry as TimelineEntry).reverse()
}

/**
 * Access pattern 13: `target` becomes `merged` and `source` is deleted, in one transaction with
 * `Contact.Merged` and the source's `Contact.Deleted`; then the source's timeline moves to the target.
 */
export async function mergeContactsInto(
  tenantId: string,
  target: Contact,
  merged: Contact,
  source: Contact,
  changes: ContactChanges,
  correlationId: string,
  actorId: string,
): Promise<void> {
  const name = table()
  const gone = indexDiff(tenantId, name, source, undefined)
  const grown = indexDiff(tenantId, name, target, merged)
  // An address moving from source to target is one Put of its guard (two operations on one item
  // in a transaction are refused), allowed while the guard is still the source's.
  const keyOf = (op: TransactItem) => {
    const k = (op.Delete?.Key ?? op.Put?.Item ?? {}) as Item
    return `${k.pk}\u0000${k.sk}`
  }
  const handedOver = new Set(grown.items.filter((op) => op.Put?.Item?.kind === 'email').map(keyOf))
  const items: TransactItem[] = []
  const meanings: Meaning[] = []
  gone.items.forEach((op, i) => {
    if (op.Delete && handedOver.has(keyOf(op))) return
    items.push(op)
    meanings.push(gone.meanings[i] ?? { kind: 'other' })
  })
  grown.items.forEach((op, i) => {
    if (op.Put?.Item?.kind === 'email') {
      op.Put.ConditionExpression = 'attribute_not_exists(pk) OR contactId = :me OR contactId = :src'
      op.Put.ExpressionAttributeValues = { ':me': target.id, ':src': source.id }
    }
    items.push(op)
    meanings.push(grown.meanings[i] ?? { kind: 'other' })
  })
  const head: { item: TransactItem; meaning: Meaning }[] = [
    {
      item: { Put: { TableName: name, Item: toItem(tenantId, merged), ...stillAtVersion(target.version) } },
      meaning: { kind: 'contact' },
    },
    {
      item: {
        Delete: { TableName: name, Key: contactKey(tenantId, source.id), ...stillAtVersion(source.version) },
      },
      meaning: { kind: 'contact' },
    },
    {
      item: timelinePut(
        tenantId,
        name,
        target.id,
        changeEntry('merged', actorId, merged.updatedAt, { sourceId: source.id, changes }),
      ),
      meaning: { kind: 'other' },
    },
  ]
  if (head.length + items.length + 2 > MAX_TRANSACT_ITEMS) {
    throw new HttpError(
      422,
      undefined,
      'These two contacts have too many emails, phones and links to merge in one step.',
    )
  }
  await runContactWrite(tenantId, head, { items, meanings }, [
    newEvent({
      source: CONTACTS_SOURCE,
      detailType: CONTACT_EVENT.merged,
      tenantId,
      data: { id: merged.id, version: merged.version, sourceId: source.id, changes },
      correlationId,
    }),
    newEvent({
      source: CONTACTS_SOURCE,
      detailType: CONTACT_EVENT.deleted,
      tenantId,
      data: { id: source.id, version: source.version, mergedInto: target.id },
      correlationId,
    }),
  ])
  // The source's history joins the target's (same entry ids, so a retry rewrites the same items).
  const history = await timelineKeys(tenantId, source.id)
  const targetPk = tenantKey(tenantId, 'CONTACT', target.id)
  await batchWrite(history.map((i) => ({ PutRequest: { Item: { ...i, pk: targetPk } } })))
  await batchWrite(history.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })))
}

/**
 * Access pattern 14: the contact's timeline deleted first (so a crash leaves a contact to erase
 * again, never an unreachable history), then the contact and its index items with
 * `Contact.Deleted` and `Contact.Erased`.
 */
export async function eraseContact(tenantId: string, contact: Contact, correlationId: string): Promise<void> {
  const history = await timelineKeys(tenantId, contact.id)
  await batchWrite(history.map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } })))
  await removeContact(tenantId, contact, correlationId, true)
}

// ---------------------------------------------------------------------------------------------
// CSV import jobs: T#<t>#IMPORT#<id> / IMPORT (the job) and / CHUNK#<nnnnn> (its rows, 500 a chunk)

const importKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'IMPORT', id), sk: 'IMPORT' })
const chunkKey = (tenantId: string, id: string, chunk: number) => ({
  pk: tenantKey(tenantId, 'IMPORT', id),
  sk: `CHUNK#${String(chunk).padStart(5, '0')}`,
})
/** Rows and finished jobs expire 30 days after the import started. */
const IMPORT_TTL_SECONDS = 30 * 24 * 3600

/** What a job was asked with, kept for its runners. */
export interface ImportInput {
  defaultRegion?: string | undefined
  /** Upload jobs: the header mapping, applied when the file is read. */
  mapping?: ImportMapping | undefined
  /** Upload jobs: the request's correlation id, carried on when the file lands. */
  correlationId?: string | undefined
}

/** What the job runner keeps beside the public job. */
export interface ImportState {
  job: ImportJob
  input: ImportInput
  chunks: number
  /** The chunk to run next; equal to `chunks` once done. */
  nextChunk: number
  /** Upload jobs: how many times the uploaded file was taken up for reading. */
  attempts: number
}

const importState = (item: Record<string, unknown>): ImportState => ({
  job: item.job as ImportJob,
  input: (item.input ?? {}) as ImportInput,
  chunks: Number(item.chunks ?? 0),
  nextChunk: Number(item.nextChunk ?? 0),
  attempts: Number(item.attempts ?? 0),
})

const importTtl = () => Math.floor(Date.now() / 1000) + IMPORT_TTL_SECONDS

/**
 * A job's rows as chunk items `first`, `first + 1`, ... (BatchWriteItem). Idempotent: a retry
 * writes the same rows under the same keys.
 */
export async function writeImportChunks(
  tenantId: string,
  jobId: string,
  first: number,
  chunks: readonly Record<string, string>[][],
): Promise<void> {
  const ttl = importTtl()
  await batchWrite(
    chunks.map((rows, n) => ({
      PutRequest: { Item: { ...chunkKey(tenantId, jobId, first + n), kind: 'import-chunk', rows, ttl } },
    })),
  )
}

/** Deletes chunk items `0 … count - 1` of a job whose file was given up half-read. */
export async function deleteImportChunks(tenantId: string, jobId: string, count: number): Promise<void> {
  await batchWrite(
    Array.from({ length: count }, (_, n) => ({ DeleteRequest: { Key: chunkKey(tenantId, jobId, n) } })),
  )
}

/**
 * Access pattern 15: the rows go first, one item per chunk (BatchWriteItem; a crash leaves orphan
 * chunks that expire), then the job and its `ContactImport.Requested` in one transaction.
 */
export async function insertImportJob(
  tenantId: string,
  job: ImportJob,
  input: { defaultRegion?: string | undefined },
  chunks: readonly Record<string, string>[][],
  correlationId: string,
): Promise<void> {
  const name = table()
  const ttl = importTtl()
  await writeImportChunks(tenantId, job.id, 0, chunks)
  await transactWithEvents(
    name,
    [
      {
        Put: {
          TableName: name,
          Item: {
            ...importKey(tenantId, job.id),
            kind: 'import',
            job,
            input,
            chunks: chunks.length,
            nextChunk: 0,
            ttl,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: IMPORT_EVENT.requested,
        tenantId,
        data: { id: job.id },
        correlationId,
      }),
    ],
  )
}

/** A job and its runner state, or undefined. */
export async function getImportJob(tenantId: string, id: string): Promise<ImportState | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: importKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? importState(out.Item) : undefined
}

/** The rows of one chunk of a job (empty when missing). */
export async function getImportChunk(
  tenantId: string,
  id: string,
  chunk: number,
): Promise<Record<string, string>[]> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: chunkKey(tenantId, id, chunk), ConsistentRead: true }),
  )
  return (out.Item?.rows ?? []) as Record<string, string>[]
}

/**
 * The items that close chunk `chunk` of a job: the job's new counts, `nextChunk` moved on only if it
 * was still `chunk` (a redelivered chunk cannot count twice), the chunk's rows deleted, and the next
 * chunk's `ContactImport.ChunkRequested` in the outbox: returned for the subscriber to commit with
 * its dedupe record, in one transaction.
 */
export function finishImportChunkItems(
  tenantId: string,
  job: ImportJob,
  chunk: number,
  last: boolean,
  correlationId: string,
): TransactItem[] {
  const name = table()
  const items: TransactItem[] = [
    {
      Update: {
        TableName: name,
        Key: importKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job, nextChunk = :next',
        ConditionExpression: 'nextChunk = :chunk',
        ExpressionAttributeNames: { '#job': 'job' },
        ExpressionAttributeValues: { ':job': job, ':next': chunk + 1, ':chunk': chunk },
      },
    },
    { Delete: { TableName: name, Key: chunkKey(tenantId, job.id, chunk) } },
  ]
  if (!last) {
    items.push(
      outboxPut(
        name,
        newEvent({
          source: CONTACTS_SOURCE,
          detailType: IMPORT_EVENT.chunkRequested,
          tenantId,
          data: { id: job.id, chunk: chunk + 1 },
          correlationId,
        }),
      ),
    )
  }
  return items
}

/**
 * Access pattern 18: an upload job waits for its file; the job item alone (its
 * `ContactImport.Requested` follows once the file has been read).
 */
export async function insertUploadImportJob(
  tenantId: string,
  job: ImportJob,
  input: ImportInput,
): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...importKey(tenantId, job.id),
        kind: 'import',
        job,
        input,
        chunks: 0,
        nextChunk: 0,
        attempts: 0,
        ttl: importTtl(),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

const AWAITING_UPLOAD = {
  ConditionExpression: '#job.#status = :awaiting',
  names: { '#job': 'job', '#status': 'status' },
  values: { ':awaiting': 'awaiting_upload' },
} as const

/**
 * Counts one more reading of an upload job's file and returns the job, or undefined when there is
 * no such job or it no longer awaits its file (already read, or failed): S3 delivers an object's
 * event at least once.
 */
export async function claimImportUpload(tenantId: string, id: string): Promise<ImportState | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: importKey(tenantId, id),
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: AWAITING_UPLOAD.ConditionExpression,
        ExpressionAttributeNames: AWAITING_UPLOAD.names,
        ExpressionAttributeValues: { ...AWAITING_UPLOAD.values, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    )
    return out.Attributes ? importState(out.Attributes) : undefined
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined
    throw err
  }
}

/**
 * The uploaded file has been read into `chunks` chunk items: the job (now `queued`, with its
 * total) and its `ContactImport.Requested` in one transaction, only while it still awaits its file.
 * False when another delivery of the same S3 event got there first.
 */
export async function queueUploadedImport(
  tenantId: string,
  job: ImportJob,
  chunks: number,
  correlationId: string,
): Promise<boolean> {
  const name = table()
  try {
    await transactWithEvents(
      name,
      [
        {
          Update: {
            TableName: name,
            Key: importKey(tenantId, job.id),
            UpdateExpression: 'SET #job = :job, chunks = :chunks, nextChunk = :zero',
            ConditionExpression: AWAITING_UPLOAD.ConditionExpression,
            ExpressionAttributeNames: AWAITING_UPLOAD.names,
            ExpressionAttributeValues: {
              ...AWAITING_UPLOAD.values,
              ':job': job,
              ':chunks': chunks,
              ':zero': 0,
            },
          },
        },
      ],
      [
        newEvent({
          source: CONTACTS_SOURCE,
          detailType: IMPORT_EVENT.requested,
          tenantId,
          data: { id: job.id },
          correlationId,
        }),
      ],
    )
    return true
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false
    throw err
  }
}

/** An upload job whose file cannot be imported: saved `failed` (only while it awaits its file). */
export async function failUploadedImport(tenantId: string, job: ImportJob): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: importKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job',
        ConditionExpression: AWAITING_UPLOAD.ConditionExpression,
        ExpressionAttributeNames: AWAITING_UPLOAD.names,
        ExpressionAttributeValues: { ...AWAITING_UPLOAD.values, ':job': job },
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
  }
}

/** Saves a job's progress. */
export async function saveImportJob(tenantId: string, job: ImportJob): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: table(),
      Key: importKey(tenantId, job.id),
      UpdateExpression: 'SET #job = :job',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#job': 'job' },
      ExpressionAttributeValues: { ':job': job },
    }),
  )
}

/** The id of the contact that has `address` (its email guard, consistent), or undefined. */
export async function contactIdByEmail(tenantId: string, address: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: emailGuardKey(tenantId, address), ConsistentRead: true }),
  )
  return out.Item?.contactId as string | undefined
}

// ---------------------------------------------------------------------------------------------
// Export jobs: T#<t>#EXPORT#<id> / EXPORT (the file itself is in S3, exports/<tenant>/<id>.<ext>)

const exportKey = (tenantId: string, id: string) => ({ pk: tenantKey(tenantId, 'EXPORT', id), sk: 'EXPORT' })

/** The job outlives its file by nothing: both go after the bucket's expiry. */
const EXPORT_TTL_SECONDS = EXPORT_JOB_LIMITS.keepDays * 24 * 3600

/** An export job and what its runner keeps beside it. */
export interface ExportState {
  job: ExportJob
  /** Runs started (the first and Lambda's retries). */
  attempts: number
}

const exportState = (item: Record<string, unknown>): ExportState => ({
  job: item.job as ExportJob,
  attempts: Number(item.attempts ?? 0),
})

/** Access pattern 19: the job and its `ContactExport.Requested`, one transaction. */
export async function insertExportJob(
  tenantId: string,
  job: ExportJob,
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [
      {
        Put: {
          TableName: name,
          Item: {
            ...exportKey(tenantId, job.id),
            kind: 'export',
            job,
            attempts: 0,
            ttl: Math.floor(Date.parse(job.createdAt) / 1000) + EXPORT_TTL_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: EXPORT_JOB_EVENT.requested,
        tenantId,
        data: { id: job.id },
        correlationId,
      }),
    ],
  )
}

/** An export job, or undefined. */
export async function getExportJob(tenantId: string, id: string): Promise<ExportState | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: exportKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? exportState(out.Item) : undefined
}

const UNFINISHED = {
  ConditionExpression: '#job.#status IN (:queued, :running)',
  names: { '#job': 'job', '#status': 'status' },
  values: { ':queued': 'queued', ':running': 'running' },
} as const

/**
 * Starts one run of an export job: `running`, attempts + 1. Undefined when there is no such job or
 * it has finished (completed or failed): a redelivered event finds nothing to do.
 */
export async function claimExportJob(
  tenantId: string,
  id: string,
  now: string,
): Promise<ExportState | undefined> {
  try {
    const out = await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: exportKey(tenantId, id),
        UpdateExpression: 'SET #job.#status = :running, #job.updatedAt = :now ADD attempts :one',
        ConditionExpression: UNFINISHED.ConditionExpression,
        ExpressionAttributeNames: UNFINISHED.names,
        ExpressionAttributeValues: { ...UNFINISHED.values, ':now': now, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    )
    return out.Attributes ? exportState(out.Attributes) : undefined
  } catch (err) {
    if (isConditionalCheckFailed(err)) return undefined
    throw err
  }
}

/**
 * The items that finish an export job: the job `completed` (only from `running`) and its
 * `ContactExport.Completed` in the outbox, returned for the subscriber to commit with its dedupe
 * record, in one transaction.
 */
export function completeExportJobItems(
  tenantId: string,
  job: ExportJob,
  correlationId: string,
): TransactItem[] {
  const name = table()
  return [
    {
      Update: {
        TableName: name,
        Key: exportKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job',
        ConditionExpression: '#job.#status = :running',
        ExpressionAttributeNames: { '#job': 'job', '#status': 'status' },
        ExpressionAttributeValues: { ':job': job, ':running': 'running' },
      },
    },
    outboxPut(
      name,
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: EXPORT_JOB_EVENT.completed,
        tenantId,
        data: { id: job.id, format: job.format, rows: job.rows, bytes: job.bytes, createdBy: job.createdBy },
        correlationId,
      }),
    ),
  ]
}

/** An export job that cannot finish: saved `failed` with its reason (only while unfinished). */
export async function failExportJob(tenantId: string, job: ExportJob): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: table(),
        Key: exportKey(tenantId, job.id),
        UpdateExpression: 'SET #job = :job',
        ConditionExpression: UNFINISHED.ConditionExpression,
        ExpressionAttributeNames: UNFINISHED.names,
        ExpressionAttributeValues: { ...UNFINISHED.values, ':job': job },
      }),
    )
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err
  }
}
