/**
 * The requester projection: which contact an email address belongs to, kept from contacts' events
 * (the service never reads contacts' table). Two kinds of items:
 *
 * | item                                | key                                    | holds                               |
 * | ----------------------------------- | -------------------------------------- | ----------------------------------- |
 * | email → contact                     | `T#<t>#REQ#<email>` / `REQ`             | `contactId`, `contactVersion`        |
 * | contact → its emails                | `T#<t>#REQCONTACT#<contactId>` / `REQCONTACT` | `emails`, `version`, or `gone` (deleted, merged away, erased) |
 *
 * Access patterns:
 *  R1. Contact of an email (ticket creation, inbound mail, list by requester): GetItem.
 *  R2. A contact's emails (Updated / Merged / Erased): GetItem of its contact item.
 *  R3. Apply a contact's new email set at its version: one Work with the contact item (conditioned on
 *      an older version: a late, older event changes nothing), Puts of the new email items and
 *      Deletes of the dropped ones (only while they still point at this contact).
 *
 * Emails are stored lower-cased and trimmed, as the contracts' EmailAddress gives them.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import { type Key, table } from './table.js'

/** Lower-case, trimmed: how addresses are compared. */
export const emailKeyOf = (email: string): string => email.trim().toLowerCase()

export function requesterEmailKey(tenantId: string, email: string): Key {
  return { pk: tenantKey(tenantId, 'REQ', emailKeyOf(email)), sk: 'REQ' }
}

export function requesterContactKey(tenantId: string, contactId: string): Key {
  return { pk: tenantKey(tenantId, 'REQCONTACT', contactId), sk: 'REQCONTACT' }
}

/** What the projection knows of a contact. */
export interface RequesterContact {
  contactId: string
  emails: string[]
  version: number
  /** Merged into another contact (`mergedInto`) or erased: no email points at it any more. */
  gone?: Gone
  mergedInto?: string
}

/** R1: the contact an email belongs to, if contacts told us of one. */
export async function contactIdForEmail(tenantId: string, email: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: requesterEmailKey(tenantId, email), ConsistentRead: true }),
  )
  return out.Item?.contactId as string | undefined
}

/** R2: the projection's contact item. */
export async function requesterContact(
  tenantId: string,
  contactId: string,
): Promise<RequesterContact | undefined> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: table(),
      Key: requesterContactKey(tenantId, contactId),
      ConsistentRead: true,
    }),
  )
  if (!out.Item) return undefined
  const { pk: _pk, sk: _sk, ...rest } = out.Item
  return rest as RequesterContact
}

/** The Put of a contact's item: its addresses at its version. */
function contactItemPut(tenantId: string, contactId: string, emails: string[], version: number) {
  return {
    TableName: table(),
    Item: {
      ...requesterContactKey(tenantId, contactId),
      kind: 'requester-contact',
      contactId,
      emails,
      version,
    },
  }
}

const newerThan = (version: number) => ({
  ConditionExpression: 'attribute_not_exists(pk) OR #v < :v',
  ExpressionAttributeNames: { '#v': 'version' },
  ExpressionAttributeValues: { ':v': version },
})

function emailItems(
  tenantId: string,
  contactId: string,
  version: number,
  before: readonly string[],
  after: readonly string[],
): TransactItem[] {
  const name = table()
  const kept = new Set(after.map(emailKeyOf))
  const items: TransactItem[] = []
  for (const email of kept) {
    items.push({
      Put: {
        TableName: name,
        Item: {
          ...requesterEmailKey(tenantId, email),
          kind: 'requester-email',
          email,
          contactId,
          contactVersion: version,
        },
      },
    })
  }
  for (const email of new Set(before.map(emailKeyOf))) {
    if (kept.has(email)) continue
    items.push({
      Delete: {
        TableName: name,
        Key: requesterEmailKey(tenantId, email),
        // Another contact may have taken the address since: leave its mapping alone.
        ConditionExpression: 'attribute_not_exists(pk) OR contactId = :c',
        ExpressionAttributeValues: { ':c': contactId },
      },
    })
  }
  return items
}

/**
 * R3: the contact now has `emails` (at `version`): its contact item and email items. A contact the
 * projection saw at a newer version fails the condition (the subscriber ignores it: already newer).
 */
export function setContactEmailsWork(
  tenantId: string,
  contactId: string,
  version: number,
  before: readonly string[],
  emails: readonly string[],
): Work {
  const unique = [...new Set(emails.map(emailKeyOf))]
  return work(
    { Put: { ...contactItemPut(tenantId, contactId, unique, version), ...newerThan(version) } },
    ...emailItems(tenantId, contactId, version, before, unique),
  )
}

/** Why a contact left the projection. */
export type Gone = 'deleted' | 'merged' | 'erased'

function goneItem(tenantId: string, contactId: string, gone: Gone, mergedInto?: string): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: {
        ...requesterContactKey(tenantId, contactId),
        kind: 'requester-contact',
        contactId,
        emails: [],
        // Past any version contacts could still send for it: a late Created/Updated cannot revive it.
        version: Number.MAX_SAFE_INTEGER,
        gone,
        ...(mergedInto ? { mergedInto } : {}),
      },
    },
  }
}

/**
 * The contact was deleted or erased: its email items go (a new ticket from the address finds no
 * contact), its contact item remembers it is gone.
 */
export function contactGoneWork(
  tenantId: string,
  contactId: string,
  emails: readonly string[],
  gone: 'deleted' | 'erased',
): Work {
  return work(goneItem(tenantId, contactId, gone), ...emailItems(tenantId, contactId, 0, emails, []))
}

/**
 * `source` was merged into `target` (now at `targetVersion`, with `targetEmails`, which include
 * the source's): every address points at the target; the source is remembered as merged.
 */
export function contactMergedWork(
  tenantId: string,
  source: { contactId: string; emails: readonly string[] },
  target: { contactId: string; version: number; before: readonly string[]; emails: readonly string[] },
): Work {
  const all = [...new Set([...target.emails, ...source.emails].map(emailKeyOf))]
  return work(
    goneItem(tenantId, source.contactId, 'merged', target.contactId),
    { Put: contactItemPut(tenantId, target.contactId, all, target.version) },
    // The source's addresses are in `all`, so they are re-pointed, never deleted.
    ...emailItems(tenantId, target.contactId, target.version, target.before, all),
  )
}
