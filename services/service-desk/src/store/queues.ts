/**
 * Ticket queues and the routing rules that fill them.
 *
 * | item    | pk             | sk             |
 * | ------- | -------------- | -------------- |
 * | queue   | `T#t#TQUEUES`  | `QUEUE#<id>`   |
 * | routing | `T#t#SETTINGS` | `ROUTING`      |
 *
 * Access patterns (tens of queues per tenant: one partition, read consistently):
 * 1. Queue by id: GetItem; list: Query the partition (pages); every queue: all pages; create: Put if absent.
 * 2. Routing rules: GetItem (none before the first PUT); replace at the version read.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb'
import type { Page } from '@relay/contracts/common'
import type { Queue, Routing } from '@relay/contracts/service-desk-sla'
import { documentClient } from '@relay/core/ddb'
import { tenantKey } from '@relay/core/keys'
import { partitionPage, putAtVersion, recordOf } from './partition.js'
import { queryAll, table } from './table.js'

const queueKey = (t: string, id: string) => ({ pk: tenantKey(t, 'TQUEUES'), sk: `QUEUE#${id}` })
const routingKey = (t: string) => ({ pk: tenantKey(t, 'SETTINGS'), sk: 'ROUTING' })

/** Pattern 1. */
export async function getQueue(tenantId: string, id: string): Promise<Queue | undefined> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: queueKey(tenantId, id), ConsistentRead: true }),
  )
  return out.Item ? recordOf<Queue>(out.Item) : undefined
}

/** Pattern 1: a new queue. */
export async function insertQueue(tenantId: string, queue: Queue): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: table(),
      Item: { ...queueKey(tenantId, queue.id), kind: 'ticket-queue', ...queue },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  )
}

/** Pattern 1: one page, oldest first. */
export function listQueues(
  tenantId: string,
  q: { limit?: number | undefined; cursor?: string | undefined },
): Promise<Page<Queue>> {
  return partitionPage<Queue>(tenantId, tenantKey(tenantId, 'TQUEUES'), q)
}

/** Pattern 1: every queue of the tenant (which ones an agent serves), all pages. */
export async function allQueues(tenantId: string): Promise<Queue[]> {
  const items = await queryAll({
    TableName: table(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': tenantKey(tenantId, 'TQUEUES') },
    ConsistentRead: true,
  })
  return items.map((i) => recordOf<Queue>(i))
}

/** Pattern 1: the ids of every queue of the tenant (to check routing rules against). */
export async function queueIds(tenantId: string): Promise<Set<string>> {
  return new Set((await allQueues(tenantId)).map((q) => q.id))
}

/** Pattern 2: the routing rules (none, version 0, before the first PUT). */
export async function getRouting(tenantId: string): Promise<Routing> {
  const out = await documentClient().send(
    new GetCommand({ TableName: table(), Key: routingKey(tenantId), ConsistentRead: true }),
  )
  return out.Item ? recordOf<Routing>(out.Item) : { rules: [], version: 0 }
}

/** Pattern 2: replaces the rules at `expected` (0: none yet). */
export async function putRouting(tenantId: string, routing: Routing, expected: number): Promise<void> {
  await putAtVersion({ ...routingKey(tenantId), kind: 'routing', ...routing }, expected)
}
