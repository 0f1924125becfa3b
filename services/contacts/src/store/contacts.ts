/**
 * Contacts: `T#<t>#CONTACT#<id>` / `CONTACT` (gsi1: `T#<t>#CONTACTS` / `T#<t>#CONTACT#<id>`), with
 * the index items of store/contact-index.ts and a timeline entry written in the same transaction,
 * and the events domain/events.ts decides on in the outbox.
 *
 * Access patterns:
 *  1. Contact by id: GetItem (consistent; its version feeds If-Match). Many: BatchGetItem (consistent).
 *  3. Create: ONE TransactWriteItems = contact Put (attribute_not_exists) + one guard Put per email
 *     (attribute_not_exists: the database, not a read, decides who owns an address) + token, owner,
 *     stage, match-key and membership Puts + a linkSeq bump per linked company (its existence check)
 *     + a `created` timeline entry + outbox.
 *  4. Update: the same shape, the contact Put at the version read, and only the index items that
 *     differ deleted/put (so guards move with the emails, in the same transaction).
 *  5. Delete: contact Delete at the version read + every index item deleted (emails freed) + outbox.
 * 13. Merge: ONE transaction = target Put at its version + source Delete at its version + both
 *     contacts' index changes (the source's email guards handed over, not deleted and re-put) +
 *     outbox; then the source's timeline entries move over (store/timeline.ts, idempotent).
 * 14. Erase: the timeline deleted first (so a crash leaves a contact to erase again, never an
 *     unreachable history), then pattern 5 with `Contact.Erased`.
 * 16. Contact id by email (Email.Unsubscribed without contactId, import upserts): GetItem of the
 *     email guard (consistent).
 *
 * Scale: contact, timeline and guard items spread over as many partitions as there are contacts and
 * emails. gsi1 is eventually consistent in AWS; reads that must see their own writes use base-table
 * partitions.
 */
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb'
import type { ConsentRecord, Contact } from '@relay/contracts/contacts'
import type { TimelineEntry } from '@relay/contracts/interactions'
import { documentClient, isConditionalCheckFailed } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { MAX_TRANSACT_ITEMS, outboxPut, type TransactItem } from '@relay/core/outbox'
import { Unprocessable, writeOrExplain } from '@relay/core/outcomes'
import { type Work, work } from '@relay/core/work'
import { type ContactChanges, withDefaults } from '../domain/contact.js'
import {
  consentChanged,
  contactCreated,
  contactDeleted,
  contactsMerged,
  contactUpdated,
  type Emitted,
} from '../domain/events.js'
import { ContactExists } from '../domain/outcomes.js'
import { changeEntry } from '../domain/timeline.js'
import { indexDiff, type Meaning, runContactWrite } from './contact-index.js'
import { contactKey, emailGuardKey, envelopes, type Item, stillAtVersion, table } from './table.js'
import { deleteTimeline, moveTimeline, timelinePut } from './timeline.js'

/** The contact item as stored (key, gsi1, attributes); with its index items it is all a contact writes. */
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

/** Pattern 1. Undefined when absent (or another tenant's). */
export async function getContact(tenantId: string, id: string): Promise<Contact | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? fromItem(out.Item) : undefined
}

/** Pattern 1, many (consistent BatchGetItem, unprocessed keys retried); absent ids are left out. */
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

/** Pattern 16: the id of the contact that has `address` (its email guard, consistent), or undefined. */
export async function contactIdByEmail(tenantId: string, address: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: emailGuardKey(tenantId, address), ConsistentRead: true }),
  )
  return typeof out.Item?.contactId === 'string' ? out.Item.contactId : undefined
}

/** Whether the contact is there now: what a failed version condition is explained by. */
const contactExists = (tenantId: string, id: string) => async () =>
  (await getContact(tenantId, id)) !== undefined

/**
 * Pattern 3: the contact, its guards and index items, a `created` timeline entry and
 * `Contact.Created` in one transaction. Throws `EmailTaken` (with `existingId`) for an email another
 * contact has, `Invalid` for an unknown company, {@link ContactExists} for the same id twice.
 */
export async function insertContact(
  tenantId: string,
  contact: Contact,
  correlationId: string,
  actorId = 'system',
): Promise<void> {
  try {
    await runContactWrite(
      tenantId,
      [
        {
          item: {
            Put: {
              TableName: table(),
              Item: toItem(tenantId, contact),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          meaning: { kind: 'contact' },
        },
        {
          item: timelinePut(tenantId, contact.id, changeEntry('created', actorId, contact.createdAt)),
          meaning: { kind: 'other' },
        },
      ],
      indexDiff(tenantId, undefined, contact),
      envelopes(tenantId, correlationId, contactCreated(contact)),
    )
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw new ContactExists(contact.id)
    throw err
  }
}

/** Extra things a contact replacement carries: a timeline entry and events. */
export interface ReplaceOptions {
  actorId?: string
  /** Timeline entry written with the change; default an `updated` entry with the changes. */
  timeline?: TimelineEntry
  /** Events instead of the default `Contact.Updated` (domain/events.ts). */
  events?: Emitted[]
  /** Further items of the same transaction (e.g. an interaction's timeline entry). */
  extra?: TransactItem[]
}

/**
 * Pattern 4: replaces `before` by `after` if it is still at `before.version`, moving the index items
 * that differ (email guards included) in the same transaction, with `Contact.Updated`. Changed
 * meanwhile → `StaleVersion`; gone → `NotFound`; `EmailTaken`, `Invalid` as pattern 3.
 */
export async function replaceContact(
  tenantId: string,
  before: Contact,
  after: Contact,
  changes: ContactChanges,
  correlationId: string,
  options: ReplaceOptions = {},
): Promise<void> {
  const r = replacement(tenantId, before, after, changes, correlationId, options)
  await writeOrExplain(
    () => runContactWrite(tenantId, r.head, r.plan, r.events),
    contactExists(tenantId, before.id),
  )
}

/** The items of pattern 4: the contact at its version, its entry, extras, index moves, events. */
function replacement(
  tenantId: string,
  before: Contact,
  after: Contact,
  changes: ContactChanges,
  correlationId: string,
  options: ReplaceOptions,
) {
  const actorId = options.actorId ?? 'system'
  const head: { item: TransactItem; meaning: Meaning }[] = [
    {
      item: { Put: { TableName: table(), Item: toItem(tenantId, after), ...stillAtVersion(before.version) } },
      meaning: { kind: 'contact' },
    },
    {
      item: timelinePut(
        tenantId,
        after.id,
        options.timeline ?? changeEntry('updated', actorId, after.updatedAt, changes),
      ),
      meaning: { kind: 'other' },
    },
    ...(options.extra ?? []).map((item) => ({ item, meaning: { kind: 'other' } as Meaning })),
  ]
  return {
    head,
    plan: indexDiff(tenantId, before, after),
    events: envelopes(tenantId, correlationId, options.events ?? contactUpdated(after, changes)),
  }
}

/**
 * Pattern 5: deletes the contact if it is still at `contact.version`, with all its index items (its
 * emails become free), and `Contact.Deleted` (+ `Contact.Erased` when `erased`); `StaleVersion` /
 * `NotFound` as pattern 4. Timeline entries stay behind, unreachable once the contact is gone
 * (erasure removes them first).
 */
export async function removeContact(
  tenantId: string,
  contact: Contact,
  correlationId: string,
  erased = false,
): Promise<void> {
  const write = () =>
    runContactWrite(
      tenantId,
      [
        {
          item: {
            Delete: {
              TableName: table(),
              Key: contactKey(tenantId, contact.id),
              ...stillAtVersion(contact.version),
            },
          },
          meaning: { kind: 'contact' },
        },
      ],
      indexDiff(tenantId, contact, undefined),
      envelopes(tenantId, correlationId, contactDeleted(contact, erased)),
    )
  await writeOrExplain(write, contactExists(tenantId, contact.id))
}

/** Pattern 14: the timeline first, then the contact with `Contact.Deleted` and `Contact.Erased`. */
export async function eraseContact(tenantId: string, contact: Contact, correlationId: string): Promise<void> {
  await deleteTimeline(tenantId, contact.id)
  await removeContact(tenantId, contact, correlationId, true)
}

/** What a consent change is: the channel, and its record before and after. */
export interface ConsentChange {
  channel: string
  before: ConsentRecord | undefined
  after: ConsentRecord
}

const consentOptions = (after: Contact, change: ConsentChange, actorId: string): ReplaceOptions => ({
  actorId,
  timeline: changeEntry('consent', actorId, after.updatedAt, {
    consent: {
      channel: change.channel,
      ...(change.before ? { before: change.before } : {}),
      after: change.after,
    },
  }),
  events: consentChanged(after, change),
})

/** Records a channel's consent: the contact at its version, a `consent` entry, `Contact.ConsentChanged`. */
export async function recordConsent(
  tenantId: string,
  before: Contact,
  after: Contact,
  change: ConsentChange,
  correlationId: string,
  actorId: string,
): Promise<void> {
  await replaceContact(tenantId, before, after, {}, correlationId, consentOptions(after, change, actorId))
}

/**
 * {@link recordConsent} as a unit of work, for a subscriber to commit with its event's dedupe
 * record: a failed condition there (the contact changed meanwhile) retries the event, which reads
 * the contact again.
 */
export function consentWork(
  tenantId: string,
  before: Contact,
  after: Contact,
  change: ConsentChange,
  correlationId: string,
  actorId: string,
): Work {
  const r = replacement(tenantId, before, after, {}, correlationId, consentOptions(after, change, actorId))
  return work(...r.head.map((h) => h.item), ...r.plan.items, ...r.events.map((e) => outboxPut(table(), e)))
}

/**
 * Pattern 13: `target` becomes `merged` and `source` is deleted, in one transaction with
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
  const gone = indexDiff(tenantId, source, undefined)
  const grown = indexDiff(tenantId, target, merged)
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
        target.id,
        changeEntry('merged', actorId, merged.updatedAt, { sourceId: source.id, changes }),
      ),
      meaning: { kind: 'other' },
    },
  ]
  if (head.length + items.length + 2 > MAX_TRANSACT_ITEMS) {
    throw new Unprocessable('These two contacts have too many emails, phones and links to merge in one step.')
  }
  // Either contact changed meanwhile → `StaleVersion` (`NotFound` when the target is gone).
  await writeOrExplain(
    () =>
      runContactWrite(
        tenantId,
        head,
        { items, meanings },
        envelopes(tenantId, correlationId, contactsMerged(merged, source, changes)),
      ),
    contactExists(tenantId, target.id),
  )
  await moveTimeline(tenantId, source.id, target.id)
}
