/**
 * What the pipeline keeps of contacts, which another service owns (table `main`): which leads
 * became which contact, and the projection of each contact's email fingerprints, fed by contacts'
 * events. Nothing here reads the contacts service's tables.
 *
 * | item         | pk                          | sk            | |
 * | contact link | T#t#CONTACTLINK#<contactId> | LEAD#<leadId> | written with a conversion: which lead became the contact |
 * | contact mail | T#t#CONTACTMAIL#<contactId> | CONTACTMAIL   | { fingerprints, version, gone?, mergedInto? }: the projection of a contact |
 * |              |                             |               | (Contact.Created / Updated / Merged: its emails at a contact version); a tombstone |
 * |              |                             |               | once erased, deleted or merged away (it then refuses new references, see deals) |
 *
 * Access patterns:
 *  1. The leads converted into a contact            Query pk T#t#CONTACTLINK#<cid>, every page
 *  2. Move / forget a lead's contact link           TransactWriteItems (merge: delete + put; erasure: delete)
 *  3. A contact's projection                        GetItem (consistent: its version guards the next write);
 *     the contacts subscribers Put it conditioned on the version read, with their dedupe record; a
 *     deal or activity write reads it to refuse a reference to a contact that is gone
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { type Work, work } from '@relay/core/work'
import {
  type ContactGone,
  type ContactMail,
  type ContactMailState,
  contactMailGone,
  nextContactMail,
} from '../domain/contact-mail.js'
import { commit, queryAll, table } from './table.js'

const contactLinkKey = (tenantId: string, contactId: string, leadId: string) => ({
  pk: tenantKey(tenantId, 'CONTACTLINK', contactId),
  sk: `LEAD#${leadId}`,
})

/** The link of a converted lead to its contact (goes in the conversion's transaction). */
export function contactLinkPut(tenantId: string, contactId: string, leadId: string): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: { ...contactLinkKey(tenantId, contactId, leadId), kind: 'contactlink', leadId },
    },
  }
}

/** Access pattern 1: ids of the leads converted into a contact. */
export async function leadIdsOfContact(tenantId: string, contactId: string): Promise<string[]> {
  const { items } = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'CONTACTLINK', contactId) },
  })
  return items.map((i) => String(i.leadId))
}

/** Access pattern 2: the link of a converted lead moves to the contact that absorbed its contact. */
export async function moveContactLink(
  tenantId: string,
  fromContactId: string,
  toContactId: string,
  leadId: string,
) {
  await commit(tenantId, '', [
    { Delete: { TableName: table(), Key: contactLinkKey(tenantId, fromContactId, leadId) } },
    contactLinkPut(tenantId, toContactId, leadId),
  ])
}

/** Access pattern 2: forgets which leads became an erased contact. */
export async function deleteContactLinks(tenantId: string, contactId: string, leadIds: readonly string[]) {
  for (const leadId of leadIds)
    await commit(tenantId, '', [
      { Delete: { TableName: table(), Key: contactLinkKey(tenantId, contactId, leadId) } },
    ])
}

const contactMailKey = (tenantId: string, contactId: string) => ({
  pk: tenantKey(tenantId, 'CONTACTMAIL', contactId),
  sk: 'CONTACTMAIL',
})

type Condition = Pick<
  NonNullable<TransactItem['Put']>,
  'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
>

/**
 * Access pattern 3: writes a contact's email projection (in the subscriber's transaction, with its
 * dedupe record). `read` is what the caller read before deciding (optimistic concurrency: a change
 * in between fails the condition and the event is retried), `'overwrite'` for a tombstone, which
 * replaces whatever is there, or `'unless-gone'` for one that keeps an earlier tombstone.
 */
export function contactMailPut(
  tenantId: string,
  mail: ContactMail,
  read: ContactMail | undefined | 'overwrite' | 'unless-gone',
): TransactItem {
  const condition: Condition =
    read === 'overwrite'
      ? {}
      : read === 'unless-gone'
        ? {
            ConditionExpression: 'attribute_not_exists(#gone)',
            ExpressionAttributeNames: { '#gone': 'gone' },
          }
        : read === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : read.version === 0
            ? {
                // An item written before versions were kept (or at version 0).
                ConditionExpression:
                  'attribute_exists(pk) AND (attribute_not_exists(#version) OR #version = :read)',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':read': 0 },
              }
            : {
                ConditionExpression: '#version = :read',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':read': read.version },
              }
  return {
    Put: {
      TableName: table(),
      Item: {
        ...contactMailKey(tenantId, mail.contactId),
        kind: 'contactmail',
        contactId: mail.contactId,
        fingerprints: mail.fingerprints,
        version: mail.version,
        ...(mail.gone ? { gone: mail.gone } : {}),
        ...(mail.mergedInto ? { mergedInto: mail.mergedInto } : {}),
      },
      ...condition,
    },
  }
}

const GONE = new Set<unknown>(['erased', 'merged', 'deleted'])

/** Access pattern 3: the projection of a contact as kept. */
export async function getContactMail(tenantId: string, contactId: string): Promise<ContactMail | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactMailKey(tenantId, contactId), ConsistentRead: true }),
  )
  const item = out.Item
  if (!item) return undefined
  const gone = GONE.has(item.gone) ? (item.gone as ContactGone) : undefined
  return {
    contactId,
    fingerprints: Array.isArray(item.fingerprints) ? item.fingerprints.map(String) : [],
    version: typeof item.version === 'number' ? item.version : 0,
    ...(gone ? { gone } : {}),
    ...(typeof item.mergedInto === 'string' ? { mergedInto: item.mergedInto } : {}),
  }
}

/** Access pattern 3: a contact's email fingerprints (none once it is erased or merged away). */
export async function contactFingerprints(tenantId: string, contactId: string): Promise<string[]> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: contactMailKey(tenantId, contactId) }),
  )
  const fp = out.Item?.fingerprints
  return Array.isArray(fp) ? fp.map(String) : []
}

/**
 * The write that brings contact `contactId`'s email projection to `stated`, conditioned on the
 * version read (a concurrent write fails it and the event is retried); none when the projection is
 * of the same or a newer version already, or the contact is gone.
 */
export async function projectContactMail(
  tenantId: string,
  contactId: string,
  stated: ContactMailState,
): Promise<Work | undefined> {
  const current = await getContactMail(tenantId, contactId)
  const next = nextContactMail(contactId, current, stated)
  return next ? work(contactMailPut(tenantId, next, current)) : undefined
}

/**
 * The tombstone of an erased or merged-away contact (overwriting whatever is kept: its emails never
 * come back; a merge names the survivor).
 */
export function contactTombstone(
  tenantId: string,
  contactId: string,
  version: number,
  gone: 'erased' | 'merged',
  mergedInto?: string,
): Work {
  return work(contactMailPut(tenantId, contactMailGone(contactId, version, gone, mergedInto), 'overwrite'))
}

/**
 * The tombstone of a deleted contact, unless one is there already (a merge's, which names the
 * survivor, is kept: its Contact.Deleted follows the merge). Its condition fails on a tombstone;
 * the subscriber treats that as applied.
 */
export function deletedContactTombstone(tenantId: string, contactId: string, version: number): Work {
  return work(contactMailPut(tenantId, contactMailGone(contactId, version, 'deleted'), 'unless-gone'))
}
