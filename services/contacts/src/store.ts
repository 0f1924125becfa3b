/**
 * All DynamoDB access of the contacts service (table `main`).
 *
 * Access patterns:
 * 1. Get a contact by id      GetItem   pk = T#<t>#CONTACT#<id>, sk = CONTACT (consistent: its version feeds If-Match)
 * 2. List contacts, newest    Query     gsi1: gsi1pk = T#<t>#CONTACTS, ScanIndexForward = false
 *    first, paged                        (gsi1sk = T#<t>#CONTACT#<ulid>, and ULIDs sort by creation time)
 * 3. Create                   TransactWriteItems: Put contact (attribute_not_exists) + outbox Contact.Created
 * 4. Update                   TransactWriteItems: Put contact (version = the version read) + outbox Contact.Updated
 * 5. Delete                   TransactWriteItems: Delete contact (version = the version read) + outbox Contact.Deleted
 *
 * Keys start with the tenant taken from the token, so another tenant's id is simply not found.
 * No Scan anywhere.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import { CONTACT_EVENT, CONTACTS_SOURCE, type Contact } from '@relay/contracts/contacts'
import { documentClient, queryPage, tableName } from '@relay/core/ddb'
import { newEvent, transactWithEvents } from '@relay/core/events'
import { tenantKey } from '@relay/core/keys'
import type { ContactChanges } from './domain/contact.js'

const SERVICE = 'contacts'
const table = () => tableName(SERVICE, 'main')

/** Primary key of a contact. */
export function contactKey(tenantId: string, id: string): { pk: string; sk: string } {
  return { pk: tenantKey(tenantId, 'CONTACT', id), sk: 'CONTACT' }
}

function toItem(tenantId: string, contact: Contact): Record<string, unknown> {
  return {
    ...contactKey(tenantId, contact.id),
    gsi1pk: tenantKey(tenantId, 'CONTACTS'),
    gsi1sk: tenantKey(tenantId, 'CONTACT', contact.id),
    kind: 'contact',
    ...contact,
  }
}

/** The contact of an item: storage attributes stripped. */
export function fromItem(item: Record<string, unknown>): Contact {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, kind: _kind, ...contact } = item
  return contact as Contact
}

/** Access pattern 1. Undefined when absent (or another tenant's). */
export async function getContact(tenantId: string, id: string): Promise<Contact | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? fromItem(out.Item) : undefined
}

/** Access pattern 2. */
export async function listContacts(
  tenantId: string,
  page: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Contact>> {
  const result = await queryPage(
    {
      TableName: table(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACTS') },
      ScanIndexForward: false,
    },
    {
      tenantId,
      ...(page.limit !== undefined ? { limit: page.limit } : {}),
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    },
  )
  return {
    items: result.items.map(fromItem),
    ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
  }
}

/** Access pattern 3: the contact and its `Contact.Created` in one transaction. */
export async function insertContact(
  tenantId: string,
  contact: Contact,
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [
      {
        Put: {
          TableName: name,
          Item: toItem(tenantId, contact),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
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

/**
 * Access pattern 4: replaces the contact if it is still at `expectedVersion`, with its
 * `Contact.Updated`. A ConditionalCheckFailed means someone else changed or deleted it meanwhile.
 */
export async function replaceContact(
  tenantId: string,
  contact: Contact,
  expectedVersion: number,
  changes: ContactChanges,
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [
      {
        Put: {
          TableName: name,
          Item: toItem(tenantId, contact),
          ...stillAtVersion(expectedVersion),
        },
      },
    ],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: CONTACT_EVENT.updated,
        tenantId,
        data: { id: contact.id, version: contact.version, changes },
        correlationId,
      }),
    ],
  )
}

/** Access pattern 5: deletes the contact if it is still at `expectedVersion`, with its `Contact.Deleted`. */
export async function removeContact(
  tenantId: string,
  id: string,
  expectedVersion: number,
  correlationId: string,
): Promise<void> {
  const name = table()
  await transactWithEvents(
    name,
    [
      {
        Delete: {
          TableName: name,
          Key: contactKey(tenantId, id),
          ...stillAtVersion(expectedVersion),
        },
      },
    ],
    [
      newEvent({
        source: CONTACTS_SOURCE,
        detailType: CONTACT_EVENT.deleted,
        tenantId,
        data: { id, version: expectedVersion },
        correlationId,
      }),
    ],
  )
}
