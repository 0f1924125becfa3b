/**
 * Entity state behind the state-like metrics (table `main`), see `domain/entities.ts`.
 *
 * | item   | pk                                  | sk    | attributes                   |
 * | ------ | ----------------------------------- | ----- | ---------------------------- |
 * | deal   | `T#<t>#ENT#deal#<dealId>`           | `ENT` | `state` (observations), `rev` |
 * | contact| `T#<t>#ENT#contact#<contactId>`     | `ENT` | `state`, `rev`               |
 *
 * Access patterns:
 * 1. Read the entities of an event   BatchGet is not transactional, so one consistent GetItem each
 *                                    (an event touches at most two)
 * 2. Write an entity                 Put, condition `rev` = the revision read (or absent): two
 *                                    events about one deal racing each other make one transaction
 *                                    fail and its event be retried, never a lost observation
 * 3. Erase a contact                 Delete (Contact.Erased)
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import type { TransactItem } from '@relay/core/transact-item'
import { type Work, work } from '@relay/core/work'
import type { Entity } from '../domain/entities.js'
import type { EntityKey } from '../domain/ingest.js'
import { table } from './table.js'

export const entityKey = (tenantId: string, key: EntityKey) => ({
  pk: tenantKey(tenantId, 'ENT', key),
  sk: 'ENT',
})

export interface StoredEntity {
  entity: Entity
  rev: number
}

/** Pattern 1. */
export async function readEntities(
  tenantId: string,
  keys: readonly EntityKey[],
): Promise<Map<EntityKey, StoredEntity>> {
  const out = new Map<EntityKey, StoredEntity>()
  await Promise.all(
    keys.map(async (key) => {
      const res = await documentClient().send(
        new GetCommand({ TableName: table(), Key: entityKey(tenantId, key), ConsistentRead: true }),
      )
      if (res.Item) out.set(key, { entity: res.Item.state as Entity, rev: Number(res.Item.rev) })
    }),
  )
  return out
}

/** Pattern 2: the transaction item writing `entity` over revision `rev` (0: not stored yet). */
export function entityPut(tenantId: string, key: EntityKey, entity: Entity, rev: number): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: { ...entityKey(tenantId, key), kind: 'entity', state: entity, rev: rev + 1 },
      ...(rev === 0
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': rev } }),
    },
  }
}

/** Pattern 3. */
export function eraseContactWork(tenantId: string, contactId: string): Work {
  return work({ Delete: { TableName: table(), Key: entityKey(tenantId, `contact#${contactId}`) } })
}
