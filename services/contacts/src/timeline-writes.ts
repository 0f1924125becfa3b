/**
 * Timeline writes of the subscribers that turn other services' events into entries (access pattern 8's
 * items: `T#<t>#CONTACT#<id>` / `TL#<entry id>`, kind `timeline`, the entry under `entry`). Kept apart
 * from `store.ts` so these subscribers and the rest of the store can change independently.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import type { TimelineEntry } from '@relay/contracts/interactions'
import { documentClient, tableName } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/outbox'
import { contactKey, emailGuardKey } from './store.js'

/**
 * The writes that add `entry` to a contact's timeline, for a subscriber to commit with its dedupe
 * record: the contact must still exist (an erased one gets nothing) and the entry must be new (its id
 * comes from the event, so a redelivery finds it). Either condition failing means "already applied or
 * no longer wanted", so the subscriber runs with `onConditionFailed: 'ignore'`.
 */
export function relatedEntryWrites(
  tenantId: string,
  contactId: string,
  entry: TimelineEntry,
): TransactItem[] {
  const name = tableName('contacts', 'main')
  return [
    {
      ConditionCheck: {
        TableName: name,
        Key: contactKey(tenantId, contactId),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    {
      Put: {
        TableName: name,
        Item: {
          pk: tenantKey(tenantId, 'CONTACT', contactId),
          sk: `TL#${entry.id}`,
          kind: 'timeline',
          entry,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]
}

/** The contact that owns `address` in the tenant (its email guard, consistent read), or undefined. */
export async function contactIdByEmail(tenantId: string, address: string): Promise<string | undefined> {
  const out = await documentClient().send(
    new GetCommand({
      TableName: tableName('contacts', 'main'),
      Key: emailGuardKey(tenantId, address),
      ConsistentRead: true,
    }),
  )
  return typeof out.Item?.contactId === 'string' ? out.Item.contactId : undefined
}
